"""Join the two schema branches of December 2026: QĐ 28 assessment lists (0004a) and
the provinces each batch touches, throttled logins (0004b).

Revision ID: 0005
Revises: 0004a, 0004b
"""

from __future__ import annotations

revision = "0005"
down_revision = ("0004a", "0004b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: both branches are independent tables and columns."""


def downgrade() -> None:
    """Nothing to undo here; each branch's own downgrade removes its tables."""
