"""Hand-made test data with factory_boy, one module per area; each factory flushes so ids exist
at once. Import from here: `from tests.factories import RiskFactory, make_project, member`.

A record that holds only its project's id takes `project=` (ProjectPart); one with a parent
relationship takes the parent (`SpendEntryFactory(line=line)`). Defaults are plain and valid:
name what the test is about, and nothing else.
"""

from tests.factories.budget import (
    BudgetLineFactory,
    FundingSourceFactory,
    SpendEntryFactory,
    StaffResourceFactory,
    StaffTimeFactory,
)
from tests.factories.evidence import (
    AssessmentRoundFactory,
    ElementRatingFactory,
    EvidenceFileFactory,
    EvidenceItemFactory,
    GapActionFactory,
    make_element,
)
from tests.factories.logs import (
    ChangeEffectFactory,
    ChangeRequestFactory,
    IssueLogEntryFactory,
    RiskFactory,
    RiskReviewFactory,
)
from tests.factories.people import (
    DEFAULT_PASSWORD,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    ServiceFactory,
    StageFactory,
    WorkStreamFactory,
    make_project,
    member,
)
from tests.factories.plan import (
    MilestoneFactory,
    PlanBaselineFactory,
    ReviewConditionFactory,
    StageReviewFactory,
    TaskDependencyFactory,
    TaskFactory,
)
from tests.factories.reports import HighlightReportFactory

__all__ = [
    "DEFAULT_PASSWORD",
    "AssessmentRoundFactory",
    "BudgetLineFactory",
    "ChangeEffectFactory",
    "ChangeRequestFactory",
    "ElementRatingFactory",
    "EvidenceFileFactory",
    "EvidenceItemFactory",
    "FundingSourceFactory",
    "GapActionFactory",
    "HighlightReportFactory",
    "IssueLogEntryFactory",
    "MeetingFactory",
    "MembershipFactory",
    "MilestoneFactory",
    "PersonFactory",
    "PlanBaselineFactory",
    "ProjectFactory",
    "ReviewConditionFactory",
    "RiskFactory",
    "RiskReviewFactory",
    "ServiceFactory",
    "SpendEntryFactory",
    "StaffResourceFactory",
    "StaffTimeFactory",
    "StageFactory",
    "StageReviewFactory",
    "TaskDependencyFactory",
    "TaskFactory",
    "WorkStreamFactory",
    "make_element",
    "make_project",
    "member",
]
