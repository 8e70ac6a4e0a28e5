"""Reply templates: each department keeps its own per category, and its handlers insert one into
a reply and edit it before sending (the reply is the department's own words, published)."""
from __future__ import annotations

from .commands import SetTemplates
from .context import Deps


def templates(department: str, deps: Deps) -> dict[str, list[str]]:
    """Category code -> the department's templates (categories no longer in the catalogue left out)."""
    known = deps.catalog().categories
    return {code: texts for code, texts in deps.templates.of(department).items() if code in known}


def set_templates(department: str, category: str, cmd: SetTemplates, deps: Deps) -> list[str]:
    """Replace the department's templates for a category; the same text twice is kept once."""
    deps.catalog().category(category)  # NotFound (404) for a category the city does not have
    texts = list(dict.fromkeys(cmd.texts))
    deps.templates.put(department, category, texts)
    return texts
