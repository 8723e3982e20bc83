"""The default audit framework, modelled on the topics of HMICFRS's national child protection
inspections (NCPI): how a force leads and supervises child protection work, works with partners,
responds first, assesses risk and refers, investigates, and what happens for the child.

Plain data, so the data migration that seeds it does not import model code."""

from __future__ import annotations

DEFAULT_CODE = "ncpi-child-protection"
DEFAULT_NAME = "Child protection case-file audit (HMICFRS NCPI method)"
DEFAULT_DESCRIPTION = (
    "Case-file audit criteria modelled on the HMICFRS national child protection inspection method. "
    "Each criterion is graded good, requires improvement or inadequate with a comment; the case file "
    "is given an overall grade with a rationale.")

#: (topic, [(criterion, guidance), ...])
DEFAULT_TOPICS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Leadership and supervision", [
        ("Supervisory oversight is recorded at each key decision, with a rationale",
         "Reviews at allocation, strategy discussion, arrest and closure say what was reviewed and why."),
        ("Supervisors set clear directions with owners and deadlines, and check they were done",
         "Directions are specific, owned and followed up at the next review."),
        ("The case was allocated to an officer with the right skills and capacity",
         "Specialist cases (sexual abuse, exploitation, online) sit with trained investigators."),
    ]),
    ("Partnership working", [
        ("Information was shared promptly with children's social care, health and education",
         "Referrals and strategy discussion requests are made the same day where a child is at risk."),
        ("The police took part in strategy discussions and joint decisions",
         "Police attendance, contribution and agreed actions are recorded."),
        ("Partners' responses were followed up and disagreements escalated",
         "Unanswered or declined referrals are chased and escalated under the partnership's procedure."),
    ]),
    ("Initial response", [
        ("The child was seen and spoken to, and their voice recorded",
         "The child's words, wishes and feelings are recorded, not only adults' accounts."),
        ("Immediate safeguarding action was taken at first contact",
         "Police protection, removal of a suspect or a safety plan where the risk called for it."),
        ("Evidence was secured promptly",
         "Scenes, devices, medical evidence and first accounts are secured without delay."),
    ]),
    ("Risk assessment and referral", [
        ("Risk was assessed with a structured method and recorded",
         "The assessment considers the child, other children in the household and the suspect."),
        ("Risk was reviewed when circumstances changed",
         "New information (a further incident, a missing episode, bail ending) leads to a new assessment."),
        ("The referral to children's social care was timely and of good quality",
         "It says what happened, the risk, what the police have done and what is asked."),
    ]),
    ("Investigation", [
        ("The investigation was planned, proportionate and progressed without delay",
         "A plan with lines of enquiry; no unexplained gaps in activity."),
        ("Suspects were managed so the child was protected",
         "Arrest when needed; bail with conditions rather than release under investigation where it protects the child."),
        ("The child and family were kept informed under the Victims' Code",
         "Updates and decisions are recorded; special measures and intermediaries considered."),
    ]),
    ("Outcome for the child", [
        ("The child was safer as a result of the police's actions",
         "Judged on the whole file: was the risk reduced?"),
        ("The outcome was appropriate and its rationale recorded",
         "Charging decisions, outcomes and closures are justified and signed off by a supervisor."),
        ("The child's ongoing needs were referred on at closure",
         "Support and services are in place or referred before the case closes."),
    ]),
]
