"""Names carrying markup, for the tests that check documents show them as text."""

from __future__ import annotations

HOSTILE = '<script>alert("x")</script>临江市'
HOSTILE_UNIT = "<img src=x onerror=alert(1)>东城区"
ATTRIBUTE = '" onmouseover="alert(1)'
