"""ECS vs EC2: a Slack bot that answers "Amazon ECS or Amazon EC2?" questions."""

__version__ = "0.1.0"
