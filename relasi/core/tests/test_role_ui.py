"""Role-aware shell: every link a role is shown (sidebar, user menu, a page's action buttons)
opens for that role — nothing offered answers 403 (issue #19)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from relasi.accounts.roles import DEFAULT_ROLES
from relasi.core.access import may
from relasi.core.context_processors import NAV, nav_for
from relasi.core.testing import client_for, make_user

ROLES = [spec["slug"] for spec in DEFAULT_ROLES]
# A report that has a result, so the builder shows its export and save buttons.
BUILDER_QUERY = "?fact=orders&measures=revenue&chart=table"


class Links(HTMLParser):
    """The hrefs inside the sidebar, the user menu and the page head (the action buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []
        self.buttons: list[str] = []
        self._stack: list[str] = []  # "nav" / "head" / "" per open element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        region = ""
        if a.get("id") == "sidebar" or "dropdown-menu" in classes:
            region = "nav"
        elif "page-head" in classes:
            region = "head"
        elif self._stack:
            region = self._stack[-1]
        if tag == "a" and region and a.get("href"):
            (self.nav if region == "nav" else self.buttons).append(a["href"] or "")
        if tag not in ("img", "input", "br", "hr", "meta", "link"):
            self._stack.append(region)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("img", "input", "br", "hr", "meta", "link") and self._stack:
            self._stack.pop()


def _links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def _local(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and href.startswith(("/", "?"))


@pytest.mark.parametrize("role", ROLES)
def test_nothing_shown_to_a_role_answers_403(db, role):
    from relasi.accounts.models import Team

    user = make_user(f"walker-{role}", role, Team.objects.create(name="Walkers"))
    client = client_for(user)
    home = client.get("/")
    assert home.status_code == 200
    nav = [h for h in _links(home.content.decode()).nav if _local(h)]
    assert nav, "the sidebar shows nothing"
    pages = list(dict.fromkeys(nav))
    if reverse("analytics:builder") in pages:
        pages.append(reverse("analytics:builder") + BUILDER_QUERY)
    seen: set[str] = set()
    failures = []
    for page in pages:
        response = client.get(page)
        seen.add(page)
        if response.status_code in (403, 500):
            failures.append((page, "menu", response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in _links(response.content.decode()).buttons:
            url = page.split("?")[0] + href if href.startswith("?") else href
            if not _local(url) or url in seen:
                continue
            seen.add(url)
            status = client.get(url).status_code
            if status in (403, 500):
                failures.append((url, f"button on {page}", status))
    assert not failures, failures


def test_analysts_may_save_reports(db):
    analyst = make_user("ana", "analyst")
    client = client_for(analyst)
    page = client.get(reverse("analytics:builder") + BUILDER_QUERY).content.decode()
    save = reverse("analytics:report_save")
    assert save in page
    response = client.post(
        save,
        {"q": BUILDER_QUERY[1:], "name": "Revenue", "frequency": "", "send_format": "pdf"},
    )
    assert response.status_code == 302, response.content[:500]
    assert analyst.saved_reports.filter(name="Revenue").exists()


def test_read_only_builder_hides_save(db):
    """The sales role reads analytics: the builder offers no save button it would refuse."""
    rep = make_user("rep", "sales")
    page = client_for(rep).get(reverse("analytics:builder") + BUILDER_QUERY).content.decode()
    assert reverse("analytics:report_save") not in page
    assert not may(rep, "analytics.add")


def test_sidebar_imports_follow_the_import_permission(db):
    rep = make_user("rep", "sales")
    marketer = make_user("mkt", "marketing")
    imports = reverse("integrations:import_list")
    urls = lambda u: [i["url"] for s in nav_for(u) for i in s["items"]]  # noqa: E731
    assert imports not in urls(rep)
    assert imports in urls(marketer)


def test_every_nav_entry_names_a_permission_that_exists(db):
    admin = make_user("root", "administrator")
    entries = [entry for _key, _label, group in NAV for entry in group]
    assert all(may(admin, entry.perm or "customers.view") for entry in entries)
