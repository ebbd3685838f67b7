"""Rules of the provider agreement: drafting and amendments (``drafting``), submission and the
state's decision, with approval into the registry (``decisions``), and the emails that tell people
(``notices``). Views, admin, the demo data and tests all come through here; what only reads is in
``enrollment.selectors``.

A version moves DRAFT -> SUBMITTED -> APPROVED, or SUBMITTED -> RETURNED -> SUBMITTED ..., or
SUBMITTED -> REJECTED. Each move is one conditional UPDATE, so two reviewers clicking at once
cannot both decide; each is audit-logged and emailed to the organization's administrators.
"""

from cvms.core.errors import ServiceError


class EnrollmentError(ServiceError):
    """A rule of the provider agreement refused the change (the core's ``ServiceError``, with the
    message for the person who asked and the form ``field`` it is about, if one)."""
