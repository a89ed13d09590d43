"""What the asking clause is about: the services it names, which one it asks about, and cues.

Works on surface words (markup gone, typos corrected, synonyms folded, not stemmed), so
"elastic container service" is already "ecs" here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

# Our two sides. Fargate and Managed Instances run ECS tasks, so they speak for the ECS side.
SIDES: dict[str, str] = {"ecs": "ecs", "fargate": "ecs", "ec2": "ec2"}
# Neighbouring services people weigh against ours; a question only about them is not ours.
NEIGHBOURS = frozenset(
    {
        "eks",
        "eksctl",
        "kubectl",
        "helm",
        "pod",
        "pods",
        "nodegroup",
        "kubernetes",
        "lambda",
        "apprunner",
        "beanstalk",
        "lightsail",
        "batch",
        "openshift",
        "nomad",
        "swarm",
        "gke",
        "aks",
        "heroku",
        "azure",
        "gcp",
        "cloudrun",
    }
)
# Kubernetes words: with these, "fargate" and "ec2" are EKS's capacity (Fargate profiles,
# EC2 node groups) unless ECS itself is named.
KUBERNETES = frozenset(
    {"eks", "eksctl", "kubectl", "helm", "pod", "pods", "nodegroup", "kubernetes"}
)
# Container tools that are not AWS services: a question naming only these (no ECS, EC2,
# Fargate, AWS) is about the tool ("docker-compose can't reach my app on localhost").
GENERIC_TOOLS = frozenset({"docker", "compose", "dockerfile", "podman", "containerd"})
_AWS = frozenset({"aws", "amazon"})
# Words that set one service against another ("fargate cheaper than EKS?").
_CONTRAST = frozenset(
    {"than", "vs", "versus", "compared", "compare", "comparison", "instead", "rather"}
)
# "X rather than Y", "X over Y": the side before the phrase is the one asked about.
_PREFER_BEFORE = [("rather", "than"), ("instead", "of"), ("over",), ("better", "than"), ("not",)]
# "choose X", "prefer X", "define X": the side after the verb is the one asked about.
_ASK_AFTER = frozenset(
    {
        "choose",
        "prefer",
        "use",
        "using",
        "define",
        "is",
        "about",
        "explain",
        "describe",
        "pros",
        "benefits",
        "advantages",
        "why",
    }
)
_COMPARATIVE = frozenset(
    {
        "which",
        "better",
        "best",
        "cheaper",
        "faster",
        "easier",
        "harder",
        "safer",
        "versus",
        "or",
        "less",
        "more",
        "compare",
        "comparison",
        "difference",
        "prefer",
        "choose",
        "worse",
    }
)
# What an ECS-vs-EC2 comparison weighs: "which is cheaper?" with no subject is about ours,
# "which ci tool should we pick?" is not.
DIMENSIONS = frozenset(
    {
        "patch",
        "cost",
        "cheaper",
        "scale",
        "scales",
        "scaling",
        "secure",
        "security",
        "safer",
        "easier",
        "harder",
        "faster",
        "slower",
        "maintain",
        "maintenance",
        "manage",
        "managed",
        "overhead",
        "reliable",
        "available",
        "availability",
        "control",
        "flexible",
        "flexibility",
        "portable",
        "performance",
        "isolation",
        "operate",
        "ops",
        "operations",
        "upgrade",
        "update",
        "monitor",
        "deploy",
        "network",
        "storage",
        "gpu",
        "admin",
        "work",
        "effort",
    }
)
_FOLLOW_UP_OPENERS = [
    ("what", "about"),
    ("how", "about"),
    ("and",),
    ("also",),
    ("same", "for"),
    ("what", "if"),
    ("and", "for"),
    ("ok", "and"),
    ("then",),
    ("so",),
    ("but",),
    ("what", "else"),
]
# "tell me about load balancing on ecs" wants the overview, not one fact from it.
_BROAD_OPENERS = [
    ("tell", "me", "about"),
    ("explain",),
    ("overview",),
    ("describe",),
    ("eli5",),
    ("intro", "to"),
    ("introduction", "to"),
    ("what", "do", "you", "know", "about"),
    ("give", "me", "an", "overview"),
    ("summarize",),
    ("summarise",),
]
# "which role / metric / port ...?" asks for a named thing, not to pick between options.
_WHICH_THINGS = frozenset(
    {
        "role",
        "roles",
        "iam",
        "metric",
        "metrics",
        "port",
        "ports",
        "network",
        "networkmode",
        "mode",
        "vpc",
        "subnet",
        "quota",
        "quotas",
        "limit",
        "limits",
        "placement",
        "target",
        "user",
        "operating",
        "os",
        "ami",
        "region",
        "regions",
        "version",
        "versions",
        "policy",
        "policies",
        "permission",
        "permissions",
        "log",
        "logs",
        "driver",
        "agent",
        "api",
        "parameter",
        "setting",
        "settings",
        "field",
        "variable",
        "capacity",
        "predefined",
        "protocol",
        "strategy",
        "family",
    }
)
_ANAPHORA = frozenset({"it", "that", "this", "those", "them", "they", "there", "its"})
# "how <word>" asks for a quantity of a kind: a duration, a size or a count.
_QUANTITIES = {
    "long": "duration",
    "fast": "duration",
    "quickly": "duration",
    "soon": "duration",
    "often": "duration",
    "big": "size",
    "large": "size",
    "many": "count",
}
_LIMITS = frozenset({"max", "min"})
# What a limit is a size of: "max memory", "the largest image".
_SIZED = frozenset(
    {"memory", "ram", "storage", "disk", "image", "size", "volume", "ephemeral"}
)  # what the vocabulary folds "how many", "largest"... into
# A message this short that points back ("how is that done on ec2?") is a follow-up.
_SHORT_MESSAGE_WORDS = 10


@dataclass(frozen=True)
class Focus:
    """The services a question names, the side it asks about, and how it is phrased."""

    sides: frozenset[str]
    neighbours: frozenset[str]
    subject: str | None
    comparative: bool
    follow_up: bool
    dimension: bool = False
    # Points back at what was said ("how is that done on ec2?"), rather than adding a
    # subject of its own ("what about windows?").
    refers_back: bool = False
    broad: bool = False
    # Kubernetes is named, ECS is not, nothing is set against it: Fargate and EC2 serve EKS.
    kubernetes_only: bool = False
    # A container tool is named, and nothing of AWS.
    tool_only: bool = False
    # Asks to pick one ("which one has less to patch?").
    picks_one: bool = False
    # Moving off one neighbouring service, to none named ("how do i migrate from heroku"):
    # a migration, which is ours to answer.
    leaves_a_neighbour: bool = False
    # Asks for a number, a limit or a duration ("how long does a task take to start?",
    # "largest instance?"): an overview of the topic is no answer to it. Its kind:
    # "duration", "size" or "count" (any number: "max", "how many").
    quantity: str | None = None

    @property
    def asks_a_quantity(self) -> bool:
        """True when the question asks for a number, a limit, a size or a duration."""
        return self.quantity is not None

    @property
    def names_a_service(self) -> bool:
        """True when the question names ECS, EC2, Fargate or a neighbouring service."""
        return bool(self.sides or self.neighbours)


def _subject(tokens: list[str]) -> str | None:
    positions = [(i, SIDES[t]) for i, t in enumerate(tokens) if t in SIDES]
    named = {side for _, side in positions}
    if not named:
        return None
    if len(named) == 1:
        return next(iter(named))
    for i, side in positions:
        after = tokens[i + 1 : i + 3]
        if any(tuple(after[: len(p)]) == p for p in _PREFER_BEFORE):
            return side
    for i, side in positions:
        if i > 0 and tokens[i - 1] in _ASK_AFTER:
            return side
    return None


_MOVING = frozenset(
    {"migrate", "migrating", "migration", "move", "moving", "switch", "switching", "leave"}
)
_MOVING_WORDS = 4  # how far "from heroku" may follow "migrate"


def _leaves_a_neighbour(tokens: list[str], neighbours: frozenset[str]) -> bool:
    """True for "migrate (our app) from heroku" or "moving off beanstalk", when that one
    neighbour is the only service named."""
    if len(neighbours) != 1:
        return False
    for i, t in enumerate(tokens):
        if t not in _MOVING:
            continue
        after = tokens[i + 1 : i + 1 + _MOVING_WORDS]
        for j, word in enumerate(after):
            # "from heroku", "off (elastic) beanstalk"; not "from heroku to render".
            named = [k for k, w in enumerate(after[j + 1 : j + 3], start=j + 1) if w in neighbours]
            if word in ("from", "off") and named:
                rest = tokens[i + 1 + named[0] + 1 :]
                return not rest or rest[0] != "to"
    return False


def _quantity(tokens: list[str]) -> str | None:
    """The kind of quantity asked for ("how long" a duration, "how big" a size, "max" or
    "how many" a count), or None."""
    for a, b in itertools.pairwise(tokens):
        if a == "how" and b in _QUANTITIES:
            return _QUANTITIES[b]
    for i, t in enumerate(tokens):
        if t in _LIMITS:
            # "max memory", "how big can an image be" (folded to "max ... image"): a size.
            return "size" if _SIZED.intersection(tokens[i + 1 : i + 5]) else "count"
    return None


def _picks_one(tokens: list[str]) -> bool:
    """ "which one/is/should ...?" picks between options; "which role ...?" names a thing."""
    return any(
        t == "which" and (i + 1 == len(tokens) or tokens[i + 1] not in _WHICH_THINGS)
        for i, t in enumerate(tokens)
    )


def focus(tokens: list[str]) -> Focus:
    """The focus of one message from its surface words."""
    sides = frozenset(SIDES[t] for t in tokens if t in SIDES)
    neighbours = frozenset(t for t in tokens if t in NEIGHBOURS)
    opener = any(tuple(tokens[: len(p)]) == p for p in _FOLLOW_UP_OPENERS)
    anaphoric = any(t in _ANAPHORA for t in tokens)
    picks_one = _picks_one(tokens)
    return Focus(
        sides=sides,
        neighbours=neighbours,
        subject=_subject(tokens),
        comparative=picks_one or any(t in _COMPARATIVE and t != "which" for t in tokens),
        follow_up=opener or (anaphoric and len(tokens) <= _SHORT_MESSAGE_WORDS),
        refers_back=anaphoric and len(tokens) <= _SHORT_MESSAGE_WORDS,
        broad=any(tuple(tokens[: len(p)]) == p for p in _BROAD_OPENERS),
        dimension=any(t in DIMENSIONS for t in tokens),
        kubernetes_only=any(t in KUBERNETES for t in tokens)
        and "ecs" not in tokens
        and not any(t in _CONTRAST for t in tokens),
        picks_one=picks_one,
        quantity=_quantity(tokens),
        leaves_a_neighbour=not sides and _leaves_a_neighbour(tokens, neighbours),
        tool_only=any(t in GENERIC_TOOLS for t in tokens)
        and not sides
        and not any(t in _AWS or t in NEIGHBOURS for t in tokens),
    )
