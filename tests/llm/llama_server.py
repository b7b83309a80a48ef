"""`python -m llama_cpp.server`, with llama.cpp's extra weight buffer types switched off.

llama-cpp-python is compiled at install time for the machine's own CPU. On a CPU with AMX (Intel Sapphire Rapids
and later), llama.cpp then repacks the quantised weights into its AMX buffer type and multiplies them with AMX
tile instructions; in the virtual machines these tests run on, the first `ldtilecfg` is a general protection
fault and the server dies on its first request (seen: every real-LLM test failing with "Server disconnected").
`use_extra_bufts=False` (llama.cpp's `--no-extra-bufts`) keeps the weights in plain CPU buffers and the
ordinary AVX kernels, on every CPU. llama-cpp-python's server has no option for it, so the model's default
parameters are wrapped before the server builds its model. Same arguments as `python -m llama_cpp.server`.
"""

from __future__ import annotations

from typing import Any

import llama_cpp.llama_cpp as lib
from llama_cpp.server.__main__ import main

_default_params = lib.llama_model_default_params


def _params() -> Any:
    params = _default_params()
    params.use_extra_bufts = False
    return params


if __name__ == "__main__":
    lib.llama_model_default_params = _params
    main()
