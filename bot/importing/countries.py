"""Country names and ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import re
import unicodedata

_ISO_NAMES = """
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|
AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|
AW Aruba|AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|
BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|
BM Bermuda|BN Brunei|BO Bolivia|BQ Bonaire|BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|
BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos Islands|CD Democratic Republic of the Congo|
CF Central African Republic|CG Republic of the Congo|CH Switzerland|CI Cote d'Ivoire|
CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde|
CW Curacao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|
DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|
ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|FM Micronesia|
FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|
GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|
GQ Equatorial Guinea|GR Greece|GS South Georgia and the South Sandwich Islands|GT Guatemala|
GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands|
HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|
IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|
JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|
KN Saint Kitts and Nevis|KP North Korea|KR South Korea|KW Kuwait|KY Cayman Islands|
KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|
LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|
ME Montenegro|MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|
MM Myanmar|MN Mongolia|MO Macao|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|
MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|
NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|
NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|
PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland|
PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine|PT Portugal|PW Palau|
PY Paraguay|QA Qatar|RE Reunion|RO Romania|RS Serbia|RU Russia|RW Rwanda|SA Saudi Arabia|
SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|SH Saint Helena|SI Slovenia|
SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|
SR Suriname|SS South Sudan|ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten|SY Syria|
SZ Eswatini|TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|
TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|
TR Turkey|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|UA Ukraine|UG Uganda|
UM United States Minor Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan|
VA Vatican City|VC Saint Vincent and the Grenadines|VE Venezuela|VG British Virgin Islands|
VI United States Virgin Islands|VN Vietnam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|
XK Kosovo|YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe
"""

_ALIASES = {
    "US": "usa|u s|u s a|united states of america|america|us of a",
    "GB": "uk|u k|great britain|britain|england|scotland|wales|northern ireland"
    "|united kingdom of great britain and northern ireland",
    "DE": "deutschland|federal republic of germany",
    "AT": "osterreich",
    "CH": "schweiz|suisse|svizzera",
    "NL": "the netherlands|holland|nederland",
    "ES": "espana",
    "IT": "italia",
    "SE": "sverige",
    "NO": "norge",
    "DK": "danmark",
    "FI": "suomi",
    "PL": "polska",
    "BE": "belgie|belgique",
    "BR": "brasil",
    "MX": "mexico",
    "CZ": "czech republic",
    "KR": "korea|republic of korea",
    "KP": "democratic people's republic of korea",
    "RU": "russian federation",
    "CN": "people's republic of china|prc",
    "TW": "republic of china",
    "IR": "islamic republic of iran",
    "VN": "viet nam",
    "LA": "lao people's democratic republic",
    "SY": "syrian arab republic",
    "MD": "republic of moldova",
    "TZ": "united republic of tanzania",
    "CI": "ivory coast",
    "CV": "cape verde",
    "SZ": "swaziland",
    "MK": "macedonia",
    "MM": "burma",
    "TR": "turkiye",
    "AE": "uae|u a e|emirates",
    "VA": "holy see|vatican",
    "CD": "dr congo|drc|congo kinshasa",
    "CG": "congo|congo brazzaville",
    "BO": "plurinational state of bolivia",
    "VE": "bolivarian republic of venezuela",
    "TL": "east timor",
    "PS": "state of palestine",
    "HK": "hong kong sar",
    "MO": "macau",
    "IE": "eire|republic of ireland",
    "NZ": "aotearoa",
}

ISO_CODES: frozenset[str] = frozenset(
    item.split(" ", 1)[0] for item in _ISO_NAMES.replace("\n", "").split("|")
)
"""Every ISO 3166-1 alpha-2 code (plus XK, Kosovo), uppercase."""


def _key(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    ascii_name = ascii_name.replace("'", "").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", ascii_name).strip()


def _build_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for item in _ISO_NAMES.replace("\n", "").split("|"):
        code, name = item.split(" ", 1)
        names[_key(name)] = code
        names[_key("the " + name)] = code
    for code, aliases in _ALIASES.items():
        for alias in aliases.split("|"):
            names[_key(alias)] = code
    return names


_NAMES = _build_names()


def country_code(value: str) -> str | None:
    """ISO-2 code (uppercase) for an ISO-2 code or a common English/native country name."""
    text = value.strip()
    if len(text) == 2 and text.isalpha() and text.upper() in ISO_CODES:
        return text.upper()
    code = _NAMES.get(_key(text))
    if code is None and "," in text:
        head, tail = text.split(",", 1)
        code = _NAMES.get(_key(f"{tail} {head}"))
    return code
