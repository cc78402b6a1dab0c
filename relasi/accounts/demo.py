"""Demo company PT XYZ (the seeds' household-goods retailer): teams, roles and users."""

import secrets
from typing import Any

from django.conf import settings

from relasi.accounts.models import Role, Team, User

USERS = [
    # username, first, last, role, team, manager
    ("admin", "Ayu", "Lestari", "administrator", None, None),
    ("direktur", "Hendra", "Wijaya", "manager", None, None),
    ("manajer.jkt", "Budi", "Santoso", "manager", "Tim Jakarta", "direktur"),
    ("manajer.sby", "Sri", "Wahyuni", "manager", "Tim Surabaya", "direktur"),
    ("sales.rina", "Rina", "Kusuma", "sales", "Tim Jakarta", "manajer.jkt"),
    ("sales.dimas", "Dimas", "Pratama", "sales", "Tim Jakarta", "manajer.jkt"),
    ("sales.putri", "Putri", "Handayani", "sales", "Tim Surabaya", "manajer.sby"),
    ("sales.agus", "Agus", "Setiawan", "sales", "Tim Surabaya", "manajer.sby"),
    ("marketing.dewi", "Dewi", "Anggraini", "marketing", None, "direktur"),
    ("cs.yusuf", "Yusuf", "Hidayat", "service", "Tim Jakarta", "manajer.jkt"),
    ("cs.maya", "Maya", "Sari", "service", "Tim Surabaya", "manajer.sby"),
    ("analis.fajar", "Fajar", "Nugroho", "analyst", None, "direktur"),
    ("auditor", "Indah", "Permata", "readonly", "Tim Jakarta", None),
]


def seed(ctx: dict[str, Any]) -> None:
    """Create teams and one user per demo persona; the password is random, written to var/."""
    password = secrets.token_urlsafe(9)
    teams = {
        name: Team.objects.get_or_create(name=name)[0] for name in ("Tim Jakarta", "Tim Surabaya")
    }
    roles = {r.slug: r for r in Role.objects.all()}
    users: dict[str, User] = {}
    for username, first, last, role, team, manager in USERS:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@ptxyz.example",
            password=password,
            first_name=first,
            last_name=last,
            role=roles[role],
            team=teams.get(team) if team else None,
            manager=users.get(manager) if manager else None,
            language="id",
        )
        users[username] = user
    path = settings.VAR_DIR / "demo-credentials.txt"
    path.write_text(
        "Relasi demo log-ins (PT XYZ). Every user has the same password.\n"
        f"password: {password}\n" + "".join(f"  {u[0]:<16} {u[3]}\n" for u in USERS)
    )
    path.chmod(0o600)
    ctx["users"] = users
    ctx["teams"] = teams
    ctx["password"] = password
