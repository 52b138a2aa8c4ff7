"""The engine is its own package: it renders with Django not even configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from rendering.engine.renderer import RenderInput, render
from rendering.engine.layout import PostInfo, ThreadInfo
style = json.loads(sys.argv[1])
thread = ThreadInfo("A title", "Ada", "ada", (PostInfo("One post, plain words."),))
files = render(data=RenderInput(thread), style=style, kind="cards", fmt="png")
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(json.dumps({"files": len(files), "png": files[0].content[:4].hex(), "django": loaded}))
"""


def test_the_engine_renders_without_django() -> None:
    from threads.style import default_style

    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(default_style())],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)

    assert report == {"files": 1, "png": "89504e47", "django": []}
