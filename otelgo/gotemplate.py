"""Jinja2 rendering of the Go code otelgo generates (templates/)."""

from __future__ import annotations

from functools import lru_cache

from otelgo.resources import templates_dir


@lru_cache(maxsize=1)
def _environment():
    import jinja2  # here: a warm plan renders nothing (see plan.generated)

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def macro(template: str, name: str):
    """A macro of a template, as a Python function returning its text."""
    return getattr(_environment().get_template(template).module, name)
