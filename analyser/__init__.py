"""analyser: a fully local contract and DPA analyser for digital-sovereignty facts."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# Offline by construction: no library the analyser uses may reach a model hub or send
# telemetry, whatever the user's environment says.
for _flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
    os.environ[_flag] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
