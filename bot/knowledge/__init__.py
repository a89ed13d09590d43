"""The knowledge base: topics loaded from YAML, validated with pydantic.

`bot.knowledge` is the import path the rest of the code uses; the models live in
`bot.knowledge.models`, reading and validating a directory in `bot.knowledge.loading`, and
the problems it reports in `bot.knowledge.errors`.
"""

from bot.knowledge.errors import KnowledgeError, KnowledgeErrors, validation_errors
from bot.knowledge.loading import (
    collect_problems,
    default_knowledge_dir,
    load_knowledge,
    read_yaml,
    topic_files,
)
from bot.knowledge.models import (
    AWS_SOURCE_PREFIXES,
    ENTRY_ANSWER_LIMIT,
    LEAD_LIMIT,
    SECTION_TEXT_LIMIT,
    TOPIC_ID_PATTERN,
    Entry,
    KnowledgeBase,
    NonEmpty,
    Source,
    Topic,
    TopicId,
    Vocabulary,
)

__all__ = [
    "AWS_SOURCE_PREFIXES",
    "ENTRY_ANSWER_LIMIT",
    "LEAD_LIMIT",
    "SECTION_TEXT_LIMIT",
    "TOPIC_ID_PATTERN",
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeErrors",
    "NonEmpty",
    "Source",
    "Topic",
    "TopicId",
    "Vocabulary",
    "collect_problems",
    "default_knowledge_dir",
    "load_knowledge",
    "read_yaml",
    "topic_files",
    "validation_errors",
]
