"""The presets every user gets, read-only. Each style is partial: the
validator fills the rest from the defaults. `presets_sync_builtins` keeps the
database rows in step with this list on every migrate."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BuiltinPreset:
    slug: str
    name: str
    style: dict[str, Any] = field(default_factory=dict)


def solid(color: str) -> dict[str, str]:
    return {"type": "solid", "color": color}


def gradient(angle: int, *colours: str) -> dict[str, Any]:
    last = len(colours) - 1
    return {
        "type": "linear",
        "angle": angle,
        "stops": [[c, round(i / last, 3)] for i, c in enumerate(colours)],
    }


BUILTIN_PRESETS: tuple[BuiltinPreset, ...] = (
    BuiltinPreset("thread-navigator", "Thread Navigator", {}),
    BuiltinPreset(
        "light",
        "Light",
        {"canvas": {"background": solid("#eef2f7")}, "text": {"color": "#1f2937"}},
    ),
    BuiltinPreset(
        "dark",
        "Dark",
        {
            "canvas": {"background": solid("#0b0f19")},
            "card": {"background": "#161b26"},
            "text": {"color": "#e7e9ee"},
        },
    ),
    BuiltinPreset(
        "high-contrast",
        "High contrast",
        {
            "canvas": {"background": solid("#000000"), "padding": 40},
            "card": {"background": "#ffffff", "radius": 12, "padding": 28, "shadow": False},
            "text": {"color": "#000000", "size": 20, "line_height": 1.5},
        },
    ),
    BuiltinPreset(
        "ocean",
        "Ocean",
        {
            "canvas": {"background": gradient(160, "#0ea5e9", "#1e3a8a")},
            "card": {"background": "#f0f9ff", "radius": 28},
            "text": {"color": "#0c2d48"},
        },
    ),
    BuiltinPreset(
        "sunset",
        "Sunset",
        {
            "canvas": {"background": gradient(120, "#f97316", "#db2777", "#7c3aed")},
            "card": {"background": "#fffaf5", "radius": 32},
            "text": {"color": "#3b1d0f", "font": "Roboto"},
        },
    ),
    BuiltinPreset(
        "forest",
        "Forest",
        {
            "canvas": {"background": gradient(145, "#14532d", "#4d7c0f")},
            "card": {"background": "#f7fbf3", "radius": 24},
            "text": {"color": "#1a2e12", "font": "Noto Sans"},
        },
    ),
    BuiltinPreset(
        "paper",
        "Paper",
        {
            "canvas": {"background": solid("#e9e1d3"), "padding": 56},
            "card": {"background": "#fbf7ef", "radius": 8, "padding": 32},
            "text": {"font": "Lora", "size": 18, "line_height": 1.6, "color": "#2b2118"},
        },
    ),
    BuiltinPreset(
        "midnight",
        "Midnight",
        {
            "canvas": {"background": gradient(135, "#020617", "#1e1b4b")},
            "card": {"background": "#0f172a", "opacity": 0.92, "radius": 20},
            "text": {"font": "JetBrains Mono", "size": 15, "line_height": 1.55, "color": "#e2e8f0"},
        },
    ),
    BuiltinPreset(
        "aurora",
        "Aurora",
        {
            "canvas": {"background": gradient(200, "#22d3ee", "#818cf8", "#c084fc", "#f472b6")},
            "card": {"background": "#ffffff", "opacity": 0.95, "radius": 36},
            "text": {"font": "IBM Plex Sans", "color": "#1e1b4b"},
        },
    ),
)
