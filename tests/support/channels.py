"""The intake channels of work orders (§5.2.2) as the params name them, for tests that must not type them out."""

from __future__ import annotations

from pathlib import Path

from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.schema import load_schema


def schema_channels(root: Path) -> dict[str, str]:
    """The schema's code list of ticket channels (params/schema.yaml ticket_channel): code → Chinese label."""
    return load_schema(root).codes["ticket_channel"].values


def exported_channels(root: Path, system: str) -> set[str]:
    """The channel codes a system's ticket export is read into (params/mappings/<system>.yaml)."""
    source = load_mapping(root, system).tables["tickets"].source("channel")
    return {code for code in source.values.values() if code is not None}
