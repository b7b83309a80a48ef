"""case secondary categories: `cases.also`, the categories a case is besides its own (multi-label memory)

Revision ID: 0006_case_also
Revises: 0005_decision_detail
Create Date: 2026-11-30 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_case_also"
down_revision = "0005_decision_detail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("also", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("also")
