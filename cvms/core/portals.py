"""The portals, as each portal app registers itself in its ``AppConfig.ready()``.

The home page, the navigation, the help line a page shows and where a person lands after signing
in all read this registry, so the core knows no portal's URL names and imports none of its code.
Roles are plain strings here: the core sits below ``cvms.accounts``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext


@dataclass(frozen=True)
class Portal:
    key: str
    name: str
    description: str
    url_name: str
    #: Roles whose work is in this portal: it is their home, and their navigation shows it.
    roles: frozenset[str]
    order: int
    #: Roles whose home is another portal but who also work here (state staff approve the Provider
    #: Portal's transfers): their navigation shows it, and they never land here after signing in.
    visiting_roles: frozenset[str] = frozenset()
    #: A public entry point: shown to visitors who are not signed in.
    visitors: bool = False
    #: Open to a signed-in person who holds no role yet (to start an enrollment, say).
    newcomers: bool = False
    #: Open to everyone signed in, whatever their roles (to get help).
    everyone: bool = False
    #: Its pages are for the public (vaccine recipients): they show the recipient help center,
    #: not the provider help desk.
    for_recipients: bool = False
    #: What a newcomer or visitor does first here, and where (the portal's home when unset).
    start_label: str = ""
    start_url_name: str = ""
    #: What people can do here without an account (or before they have a role), as ``(label, url)``
    #: pairs a function of the portal gives at each request (they may follow settings): the home
    #: page, the sign-in page and a newcomer's "what you can do" list them.
    ways_in: Callable[[], list[tuple[str, str]]] | None = None
    #: A template of the portal's own page links, shown on its pages to the people who work there.
    nav_template: str = ""
    #: The people of its roles are emailed about scheduled downtime (``cvms.core.downtime``).
    downtime_notices: bool = False
    #: Its roles that leave a person a newcomer everywhere else (someone registered only to ask the
    #: help desk may still start an enrollment).
    newcomer_roles: frozenset[str] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(str(role) for role in self.roles))
        object.__setattr__(self, "visiting_roles", frozenset(str(role) for role in self.visiting_roles))
        object.__setattr__(self, "newcomer_roles", frozenset(str(role) for role in self.newcomer_roles))

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def start_url(self) -> str:
        return reverse(self.start_url_name or self.url_name)

    @property
    def entry_links(self) -> list[tuple[str, str]]:
        return self.ways_in() if self.ways_in else []

    @property
    def namespace(self) -> str:
        return self.url_name.partition(":")[0]


_REGISTRY: dict[str, Portal] = {}


def portal_register(portal: Portal) -> None:
    """Called once from a portal app's ``ready()``. Each role belongs to one portal, so a person's
    home follows from their roles."""
    existing = _REGISTRY.get(portal.key)
    if existing is not None and existing != portal:
        raise ImproperlyConfigured(f"Two portals registered the key {portal.key!r}")
    for other in _REGISTRY.values():
        if other.key != portal.key and other.roles & portal.roles:
            shared = ", ".join(sorted(other.roles & portal.roles))
            raise ImproperlyConfigured(f"Portals {other.key!r} and {portal.key!r} both claim the roles {shared}")
    _REGISTRY[portal.key] = portal


def portals() -> list[Portal]:
    return sorted(_REGISTRY.values(), key=lambda p: (p.order, p.key))


def portals_for(*, signed_in: bool, roles: set[str]) -> list[Portal]:
    """The portals a person can use, in order: a visitor sees the public entry points; a signed-in
    person the portals of their roles, those open to everyone, and, with no role yet, those open
    to newcomers; a role visiting a portal sees it too."""
    if not signed_in:
        return [p for p in portals() if p.visitors]
    newcomer = is_newcomer(roles)
    return [p for p in portals()
            if (p.roles | p.visiting_roles) & roles or p.everyone or (p.newcomers and newcomer)]


def is_newcomer(roles: set[str]) -> bool:
    """Whether these roles are none yet, for what newcomers may do: only roles a portal declares
    ``newcomer_roles`` (a help desk requester's) do not count."""
    return not (set(roles) - {role for p in portals() for role in p.newcomer_roles})


def portal_homes_for(roles: set[str]) -> list[Portal]:
    """The portals where these roles work."""
    return [p for p in portals() if p.roles & roles]


def portal_for_namespace(namespace: str | None) -> Portal | None:
    return next((p for p in portals() if namespace and p.namespace == namespace), None)


def help_line(*, for_recipients: bool) -> dict:
    """Where a page sends people for help: the recipient help center on pages for the public, the
    provider help desk (with its hours, in the page's language) everywhere else."""
    from cvms.core.context_processors import helpdesk_hours

    if for_recipients:
        return {"name": gettext("COVID-19 vaccine help center"), "phone": settings.CVMS_RECIPIENT_HELP_PHONE,
                "hours": "", "for_recipients": True}
    return {"name": gettext("Provider help desk"), "phone": settings.CVMS_HELPDESK_PHONE,
            "hours": helpdesk_hours(), "for_recipients": False}
