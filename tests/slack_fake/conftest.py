from tests.slack_fake.fixtures import fake_slack, fake_slack_client  # noqa: F401
