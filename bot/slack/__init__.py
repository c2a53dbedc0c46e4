"""Slack: the Bolt app, Block Kit builders, the Web API client."""
