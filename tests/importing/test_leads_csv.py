"""parse_leads_csv: header guessing, mapping, row errors, CSV dialects."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.importing import ImportFileError, RowError, parse_leads_csv


def test_crm_export_fixture(data_dir: Path) -> None:
    with (data_dir / "leads_crm_export.csv").open("rb") as stream:
        result = parse_leads_csv(stream)

    assert result.delimiter == ";"
    assert [row.row_number for row in result.rows] == [2, 3, 5, 7, 8]
    dana = result.rows[0].fields
    assert dana == {
        "email": "dana.whitfield@northwind-analytics.com",
        "domain": "northwind-analytics.com",
        "company": "Northwind Analytics",
        "name": "Dana Whitfield",
        "title": "VP Operations",
        "industry": "Software",
        "company_size": 1200,
        "country": "US",
        "owner": "U0REP0001",
        "stage": "Working",
    }
    priya, jean_luc, anna = (row.fields for row in result.rows[1:4])
    assert (priya["company_size"], priya["country"], priya["domain"]) == (
        51,
        "GB",
        "helixhealth.io",
    )
    assert jean_luc["company"] == "Meridian Banque; Paris"
    assert (jean_luc["company_size"], jean_luc["country"]) == (12000, "FR")
    assert (anna["company"], anna["domain"], anna["country"]) == (None, None, "DE")
    assert [str(e) for e in result.errors] == [
        "row 4: email 'tom@' is not a valid email address; "
        "company_size 'lots' is not a number of employees (e.g. 250, 1,200, 1.5k or 51-200); "
        "country 'Atlantis' is not a known country name or ISO code"
    ]
    assert result.duplicates == [(2, 8)]
    assert result.ignored_columns == ["Phone"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Email", "email"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("work email", "email"),
        ("EMAIL_ADDRESS", "email"),
        ("Company", "company"),
        ("Account Name", "company"),
        ("Organization", "company"),
        ("Full Name", "name"),
        ("Name", "name"),
        ("Job Title", "title"),
        ("Title", "title"),
        ("Position", "title"),
        ("Industry", "industry"),
        ("Employees", "company_size"),
        ("Company Size", "company_size"),
        ("Number of Employees", "company_size"),
        ("Headcount", "company_size"),
        ("Country", "country"),
        ("Product", "product"),
        ("Owner", "owner"),
        ("Lead Owner", "owner"),
        ("Rep", "owner"),
        ("Stage", "stage"),
        ("Lead Status", "stage"),
        ("Domain", "domain"),
        ("Website", "domain"),
    ],
)
def test_header_guessing(header: str, field: str) -> None:
    extra = "" if field == "email" else f",{header}"
    email_header = header if field == "email" else "Email"
    result = parse_leads_csv(f"{email_header}{extra}\n")
    assert result.columns[header] == field
    assert result.ignored_columns == []


def test_first_and_last_name_make_the_name() -> None:
    text = "email,First Name,Last Name\na@acme.com,Ada,Lovelace\nb@acme.com,,Hopper\nc@acme.com,,\n"
    names = [row.fields["name"] for row in parse_leads_csv(text).rows]
    assert names == ["Ada Lovelace", "Hopper", None]


def test_full_name_wins_over_parts() -> None:
    text = "email,Full Name,First Name,Last Name\na@acme.com,Ada King,Ada,Lovelace\n"
    assert parse_leads_csv(text).rows[0].fields["name"] == "Ada King"


def test_explicit_mapping_overrides_guesses() -> None:
    text = "Contact,Email,Org,Size\nada@acme.com,ada@home.example,Acme,40\n"
    result = parse_leads_csv(text, mapping={"contact": "email", "Org": "company", "Size": ""})
    assert result.rows[0].fields == {"email": "ada@acme.com", "company": "Acme"}
    assert result.columns == {"Contact": "email", "Org": "company"}
    assert result.ignored_columns == ["Email"]


def test_mapping_errors_name_the_problem() -> None:
    with pytest.raises(ImportFileError, match="'Mail' but the file has only: Email, Company"):
        parse_leads_csv("Email,Company\n", mapping={"Mail": "email"})
    with pytest.raises(ImportFileError, match="'budget' is not a lead field"):
        parse_leads_csv("Email,Company\n", mapping={"Company": "budget"})


def test_missing_email_column_is_a_file_error() -> None:
    with pytest.raises(ImportFileError) as info:
        parse_leads_csv("Name,Company,Phone\nAda,Acme,123\n")
    message = str(info.value)
    assert "no email column" in message
    assert "Name, Company, Phone" in message


def test_empty_file_is_a_file_error() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        parse_leads_csv("\n\n")


def test_bad_rows_report_exact_numbers_and_good_rows_parse() -> None:
    text = (
        "Email,Employees,Country,Website\n"  # row 1
        "ada@acme.com,10,US,acme.com\n"  # row 2
        "bob@,10,US,\n"  # row 3
        ",5,,\n"  # row 4
        "\n"  # row 5 (blank, skipped but counted)
        "cy@acme.com,-3,,\n"  # row 6
        "dee@acme.com,,Narnia,\n"  # row 7
        "eve@acme.com,,,not a site\n"  # row 8
        "fay@acme.com,1k,gb,http://www.fay.io/x\n"  # row 9
        "gus@acme.com,1,US,,surplus\n"  # row 10
    )
    result = parse_leads_csv(text)
    assert [row.row_number for row in result.rows] == [2, 9]
    assert result.rows[1].fields == {
        "email": "fay@acme.com",
        "company_size": 1000,
        "country": "GB",
        "domain": "fay.io",
    }
    assert [str(e) for e in result.errors] == [
        "row 3: email 'bob@' is not a valid email address",
        "row 4: email is empty",
        "row 6: company_size '-3' is not a number of employees (e.g. 250, 1,200, 1.5k or 51-200)",
        "row 7: country 'Narnia' is not a known country name or ISO code",
        "row 8: domain 'not a site' is not a valid domain or website",
        "row 10: it has 5 cells but the header has 4 columns",
    ]
    assert result.errors[0] == RowError(3, "email 'bob@' is not a valid email address")


@pytest.mark.parametrize(
    ("cell", "size"),
    [
        ("250", 250),
        ('"1,200"', 1200),
        ("1 200", 1200),
        ("51-200", 51),
        ("51 - 200", 51),
        ('"1,001-5,000"', 1001),
        ("1k", 1000),
        ("1.5K", 1500),
        ("10000+", 10000),
        ("10k+", 10000),
        ("12.0", 12),
        ("0", 0),
        ("320 employees", 320),
    ],
)
def test_company_sizes(cell: str, size: int) -> None:
    result = parse_leads_csv(f"Email,Company Size\na@acme.com,{cell}\n")
    assert result.rows[0].fields["company_size"] == size


@pytest.mark.parametrize("cell", ["lots", "12.5", "-5", "1k-", "about 50"])
def test_bad_company_sizes(cell: str) -> None:
    result = parse_leads_csv(f"Email,Company Size\na@acme.com,{cell}\n")
    assert not result.rows
    assert result.errors[0].reason.startswith(f"company_size '{cell}' is not a number")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("Germany", "DE"),
        ("germany", "DE"),
        ("de", "DE"),
        ("United States", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("The Netherlands", "NL"),
        ("Österreich", "AT"),
        ('"Korea, Republic of"', "KR"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_country_names(cell: str, code: str) -> None:
    result = parse_leads_csv(f"Email,Country\na@acme.com,{cell}\n")
    assert result.rows[0].fields["country"] == code


def test_unknown_country_is_a_row_error() -> None:
    result = parse_leads_csv("Email,Country\na@acme.com,Westeros\nb@acme.com,XX\n")
    assert [str(e) for e in result.errors] == [
        "row 2: country 'Westeros' is not a known country name or ISO code",
        "row 3: country 'XX' is not a known country name or ISO code",
    ]


def test_emails_are_lowercased_and_empty_cells_are_none() -> None:
    result = parse_leads_csv("Email,Company,Title\n  Ada@ACME.com ,,  \n")
    assert result.rows[0].fields == {"email": "ada@acme.com", "company": None, "title": None}


def test_semicolon_delimiter_quotes_bom_and_crlf() -> None:
    text = '\ufeff"Email";"Company";"Title"\r\n"ada@acme.com";"Acme; Inc.";"VP ""Ops"""\r\n\r\n'
    result = parse_leads_csv(text)
    assert result.delimiter == ";"
    assert result.columns == {"Email": "email", "Company": "company", "Title": "title"}
    assert result.rows[0].fields["company"] == "Acme; Inc."
    assert result.rows[0].fields["title"] == 'VP "Ops"'


def test_bom_in_bytes_and_binary_streams() -> None:
    data = "\ufeffEmail,Company\nada@acme.com,Acme\n".encode()
    for source in (data, io.BytesIO(data)):
        result = parse_leads_csv(source)
        assert result.columns == {"Email": "email", "Company": "company"}
        assert result.rows[0].fields["company"] == "Acme"


def test_tab_delimited_text_stream() -> None:
    result = parse_leads_csv(io.StringIO("Email\tCompany\nada@acme.com\tAcme, Inc.\n"))
    assert result.delimiter == "\t"
    assert result.rows[0].fields["company"] == "Acme, Inc."


def test_quoted_newline_counts_as_one_row() -> None:
    text = 'Email,Company\nada@acme.com,"Acme\nLabs"\nbob@,X\n'
    result = parse_leads_csv(text)
    assert result.rows[0].fields["company"] == "Acme Labs"
    assert result.errors[0].row == 3


def test_cp1252_bytes_are_read() -> None:
    data = "Email,Company\nada@acme.com,Caf\u00e9 M\u00fcller\n".encode("cp1252")
    assert parse_leads_csv(data).rows[0].fields["company"] == "Café Müller"


def test_duplicates_keep_both_rows() -> None:
    text = "Email,Company\na@x.com,One\nb@x.com,Two\nA@X.com,Three\na@x.com,Four\n"
    result = parse_leads_csv(text)
    assert [row.fields["company"] for row in result.rows] == ["One", "Two", "Three", "Four"]
    assert result.duplicates == [(2, 4), (2, 5)]


def test_large_file_streams() -> None:
    def lines():
        yield "Email,Company,Employees\n"
        for i in range(50_000):
            yield f"user{i}@company{i % 997}.com,Company {i % 997},{i % 5000}\n"

    stream = io.StringIO("".join(lines()))
    result = parse_leads_csv(stream)
    assert len(result.rows) == 50_000
    assert result.rows[-1].row_number == 50_001
    assert not result.errors
