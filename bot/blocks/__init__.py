"""Block Kit: every message, view and modal the bot shows, and the same blocks as terminal text.

Pure `build_*` functions returning `slack_sdk.models.blocks` objects; action and callback ids are
module constants, a contract with `bot.slack.listeners`. Nothing here talks to Slack: the CLI
renders these very blocks as text (`render`). `common` holds the ids and buttons every surface
shares; `answers`, `home`, `recommend` and `recommend_modal` build one surface each.
"""

from bot.blocks.answers import (
    build_answer,
    build_did_you_mean,
    build_entry_answer,
    build_match,
    build_out_of_scope,
    fallback_text,
)
from bot.blocks.common import (
    ACTION_ANSWER_TOPIC,
    ACTION_FEEDBACK,
    ACTION_HELP_ME_CHOOSE,
    ACTION_SHARE,
    BUTTON_TEXT_LIMIT,
    CHOOSE_CALLOUT,
    CHOOSE_TOPIC_ID,
    COMMAND,
    FEEDBACK_HELPFUL,
    FEEDBACK_UNHELPFUL,
    build_choose_callout,
    example_topics,
    help_me_choose_button,
    to_dicts,
    topic_button,
)
from bot.blocks.home import (
    build_help,
    build_home,
)
from bot.blocks.recommend import (
    ACTION_DIALOG_ANSWER,
    ACTION_DIALOG_BACK,
    ACTION_DIALOG_CANCEL,
    ACTION_DIALOG_RESTART,
    ACTION_DIALOG_SIZE,
    ACTION_DIALOG_SKIP,
    CANCELLED_TEXT,
    EXPIRED_TEXT,
    START_OVER_VALUE,
    build_dialog_cancelled,
    build_dialog_expired,
    build_dialog_question,
    build_recommendation,
    parse_dialog_action,
    question_text,
    recommendation_text,
)
from bot.blocks.recommend_modal import (
    ACTION_MODAL_INPUT,
    BLOCK_FACET,
    BLOCK_SIZING,
    CALLBACK_RECOMMEND_MODAL,
    ModalInputError,
    build_modal_notice,
    build_recommend_modal,
    read_recommend_submission,
)
from bot.blocks.render import (
    render_blocks,
)

__all__ = [
    "ACTION_ANSWER_TOPIC",
    "ACTION_DIALOG_ANSWER",
    "ACTION_DIALOG_BACK",
    "ACTION_DIALOG_CANCEL",
    "ACTION_DIALOG_RESTART",
    "ACTION_DIALOG_SIZE",
    "ACTION_DIALOG_SKIP",
    "ACTION_FEEDBACK",
    "ACTION_HELP_ME_CHOOSE",
    "ACTION_MODAL_INPUT",
    "ACTION_SHARE",
    "BLOCK_FACET",
    "BLOCK_SIZING",
    "BUTTON_TEXT_LIMIT",
    "CALLBACK_RECOMMEND_MODAL",
    "CANCELLED_TEXT",
    "CHOOSE_CALLOUT",
    "CHOOSE_TOPIC_ID",
    "COMMAND",
    "EXPIRED_TEXT",
    "FEEDBACK_HELPFUL",
    "FEEDBACK_UNHELPFUL",
    "START_OVER_VALUE",
    "ModalInputError",
    "build_answer",
    "build_choose_callout",
    "build_dialog_cancelled",
    "build_dialog_expired",
    "build_dialog_question",
    "build_did_you_mean",
    "build_entry_answer",
    "build_help",
    "build_home",
    "build_match",
    "build_modal_notice",
    "build_out_of_scope",
    "build_recommend_modal",
    "build_recommendation",
    "example_topics",
    "fallback_text",
    "help_me_choose_button",
    "parse_dialog_action",
    "question_text",
    "read_recommend_submission",
    "recommendation_text",
    "render_blocks",
    "to_dicts",
    "topic_button",
]
