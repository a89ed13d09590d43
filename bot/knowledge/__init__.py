"""The knowledge base: topics loaded from YAML, validated with pydantic.

`bot.knowledge` is the import path the rest of the code uses; the models live in
`bot.knowledge.models` and reading and validating a directory in `bot.knowledge.loading`.
"""

from bot.knowledge.loading import (
    KnowledgeError,
    KnowledgeErrors,
    collect_problems,
    default_knowledge_dir,
    load_knowledge,
    read_yaml,
    topic_files,
    validation_errors,
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
