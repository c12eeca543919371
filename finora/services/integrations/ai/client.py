"""The one call to the model: chat.completions.create through the openai client with a
strict JSON schema (structured output). `openai` is imported inside `ask_model` only, so
the app starts without loading it.

Every failure becomes an AiCallError with a code the pages translate (insights.py,
ERROR_MESSAGES); its detail never holds the API key."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the SDK itself is imported lazily, by ask_model
    from openai.types.shared_params import ResponseFormatJSONSchema

CARD_TYPES = ("cash_risk", "risk", "pattern", "observation")

RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {
        "insights": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": list(CARD_TYPES)},
                    "title": {"type": "string"},
                    "body": {"type": "string"},
                },
                "required": ["type", "title", "body"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["insights"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {"name": "finora_insights", "strict": True, "schema": RESPONSE_SCHEMA},
}

INSTRUCTIONS = (
    "You read a household's cash-flow forecast for the next 90 days and explain it to the "
    "family in plain words. The user message is JSON: the current balance, the recurring "
    "rules (income and expenses with their frequency), the lowest projected balance of the "
    "next 90 days and its date, the deterministic cash risk score (0-100, higher is safer) "
    "with its factors (runway, lowest, days_to_lowest, volatility; each scored 0-100 with a "
    "weight), or null when there is nothing to score, and the currency. Give 2 to 6 short "
    "insights. Start with one of type cash_risk explaining what drives the score; then "
    "risk (what could go wrong), pattern (what repeats in the rules) or observation "
    "(anything else useful). Each has a title of at most 80 characters and a body of at "
    "most 400 characters, plain text, no Markdown. Do not invent figures that are not in "
    "the data. Write every title and body in {language}."
)


class AiCallError(Exception):
    """A failed call: `code` is one of timeout, bad_key, rate_limited, refused, malformed,
    connection, server_error; `detail` is safe to store and show (never the key)."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def ask_model(*, api_key: str, model: str, base_url: str | None, payload: dict,
              timeout: float) -> str:
    """The model's answer: the JSON text of the structured output (insights.py validates
    it). One attempt (max_retries=0): the page waits at most `timeout` seconds."""
    import openai  # lazily: only a refresh needs the SDK

    client = openai.OpenAI(api_key=api_key, base_url=base_url or None, timeout=timeout,
                           max_retries=0)
    try:
        completion = client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": INSTRUCTIONS.format(language=payload["language"])},
                {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
            ],
            response_format=RESPONSE_FORMAT,
        )
    except openai.APITimeoutError as error:  # before APIConnectionError: a subclass
        raise AiCallError("timeout") from error
    except openai.AuthenticationError as error:
        raise AiCallError("bad_key", f"HTTP {error.status_code}") from error
    except openai.RateLimitError as error:
        raise AiCallError("rate_limited", f"HTTP {error.status_code}") from error
    except openai.APIConnectionError as error:
        raise AiCallError("connection") from error
    except openai.APIStatusError as error:
        raise AiCallError("server_error", f"HTTP {error.status_code}") from error
    except openai.OpenAIError as error:  # an answer the SDK cannot read
        raise AiCallError("malformed") from error
    finally:
        client.close()
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise AiCallError("malformed")
    message = choices[0].message
    if getattr(message, "refusal", None):
        raise AiCallError("refused", str(message.refusal)[:200])
    if not message.content:
        raise AiCallError("malformed")
    return message.content
