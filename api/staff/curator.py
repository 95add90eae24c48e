"""The curator's pages (organization scope): dashboard, mentors, mentees, pairs, programs,
checklist and import. Filled in step by step; see `api.staff` for how a page is added."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
