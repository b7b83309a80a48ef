"""case unknown categories: `cases.unknown`, the categories a case's labels say nothing about (partial labels)

Revision ID: 0007_case_unknown
Revises: 0006_case_also
Create Date: 2026-12-01 03:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_case_unknown"
down_revision = "0006_case_also"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unknown", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("unknown")
