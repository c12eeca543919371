"""AI insights: a household's model settings, what is sent (no personal data), the call
through the openai client with a JSON schema, and the cached insights (docs/ai-insights.md)."""
