"""The person's tables: schema inference, proposals and governance, the domain catalog.

``Workspace.tables`` is a ``Tables``; the panes and the CLI use only it and the
records below.
"""

from .api import Tables
from .model import Column, Proposal, RowFilter, TableInfo

__all__ = ["Column", "Proposal", "RowFilter", "TableInfo", "Tables"]
