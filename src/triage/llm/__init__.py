"""The LLM path: grounded classification and drafting through any OpenAI-compatible server."""
