"""The words Portuguese, English and Spanish files use for their columns and their values,
compared without accents, case or punctuation (see `fold`)."""

from __future__ import annotations

import re
import unicodedata
from typing import TypedDict

from flask import has_app_context

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """'Descrição (R$)' -> 'descricao r': no accents, lower case, words split by one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain.lower()).strip()


def _folded(words: str) -> tuple[str, ...]:
    return tuple(folded for folded in (fold(word) for word in words.split(",")) if folded)


# Header words per role, most specific first. A header matches a word when it equals it
# or starts with it ("Data do lançamento", "Valor (R$)").
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    # Finora's own export: "Paid on" is a date, not the paid/pending column "Pago" starts.
    "paid_on": _folded("pago em, paid on, pagado el, paid_on"),
    "subcategory": _folded("subcategoria, subcategory, sub category, sub categoria, subcategoría"),
    "payment_method": _folded(
        "forma de pagamento, meio de pagamento, método de pagamento, payment method, payment type, "
        "método de pago, metodo de pago, forma de pago, medio de pago"
    ),
    "debit": _folded(
        "débito, debito, debit, debits, débitos, cargo, cargos, saída, saídas, saida, withdrawal, "
        "withdrawals, paid out, money out, debe, retiro, retiros, egreso, egresos"
    ),
    "credit": _folded(
        "crédito, credito, credit, credits, créditos, abono, abonos, entrada, entradas, deposit, "
        "deposits, paid in, money in, haber, ingreso, ingresos"
    ),
    "date": _folded(
        "data, date, fecha, dt, dia, day, data do lançamento, data lançamento, data movimento, "
        "transaction date, posting date, booking date, fecha operación, fecha de operación"
    ),
    "description": _folded(
        "descrição, descricao, histórico, historico, description, concepto, descripción, "
        "lançamento, lancamento, detalhe, detalhes, details, detail, memo, narrative, "
        "estabelecimento, merchant, movimiento, título, titulo, texto, name, nome"
    ),
    # A file with a payee column and no description column reads it as the description
    # (mapping._by_header): bank files that name only the payee keep working.
    "payee": _folded("favorecido, payee, beneficiário, beneficiario, payee name, nome do favorecido"),
    "tags": _folded("etiquetas, tags, etiqueta, tag, labels, marcadores"),
    "amount": _folded("valor, amount, importe, montante, quantia, monto, value, quantidade, cantidad"),
    "kind": _folded(
        "tipo, type, kind, natureza, d c, c d, dc, cd, debit credit, credit debit, cr dr, dr cr, "
        "débito crédito, crédito débito, tipo de movimiento, tipo de transação, receita despesa, "
        "entrada saída, income expense, ingreso gasto"
    ),
    "category": _folded("categoria, category, categoría, rubro, grupo"),
    "account": _folded("conta, account, cuenta, account name, nome da conta, nombre de la cuenta"),
    "notes": _folded(
        "notas, notes, nota, note, observações, observacoes, observação, obs, comentários, "
        "comentario, comentarios, comments, comment, observaciones, observación"
    ),
    # Finora's own export: a split entry's line ("2/3").
    "split": _folded("divisão, divisao, split, división, division, split line"),
    "paid": _folded(
        "status, situação, situacao, pago, paid, estado, cleared, conciliado, recebido, pago recebido, "
        "paid received, pagado, situación"
    ),
}

# A header naming a running balance is never the amount, whatever else it says.
NOT_AMOUNT = frozenset(_folded("saldo, balance, running balance, saldo acumulado, total"))
# Numeric columns that are never money: a guess from the contents passes over them.
NOT_MONEY = NOT_AMOUNT | frozenset(
    _folded(
        "documento, doc, docto, id, número, numero, nº, no, num, ref, referência, referencia, "
        "reference, agência, agencia, conta, account, cheque, check, código, codigo, code, "
        "parcela, parcelas, installment, cuota, nsu, autorização, autorizacion"
    )
)

INCOME_WORDS = frozenset(
    _folded(
        "receita, receitas, entrada, entradas, crédito, credito, c, cr, income, credit, deposit, in, "
        "ingreso, ingresos, abono, haber, recebimento, inflow"
    )
) | {"+"}
EXPENSE_WORDS = frozenset(
    _folded(
        "despesa, despesas, saída, saida, saídas, débito, debito, d, db, dr, expense, debit, "
        "withdrawal, out, gasto, gastos, cargo, debe, egreso, pagamento, outflow, payment"
    )
) | {"-"}

PAID_WORDS = frozenset(
    _folded(
        "pago, paga, paid, sim, sí, si, yes, y, s, true, 1, x, recebido, recebida, received, cobrado, "
        "pagado, pagada, cleared, conciliado, ok, efetuado, realizado, liquidado, done, posted, "
        "completed, complete, booked, settled, reconciled, confirmado, confirmada, compensado, "
        "efectuado, realizada, cobrada, recebida, pago recebido, paid received, pagado cobrado"
    )
)
PENDING_WORDS = frozenset(
    _folded(
        "pendente, pending, pendiente, não, nao, no, n, false, 0, a pagar, a receber, aberto, "
        "em aberto, open, unpaid, scheduled, agendado, agendada, previsto, prevista, programado, "
        "programada, authorized, authorised, processing, em processamento, a vencer, por pagar, "
        "vencido, vencida, overdue, atrasado, atrasada, late, not received, não recebido, "
        "nao recebido, no cobrado, no recibido, vencido não recebido, overdue not received, "
        "vencido no cobrado"
    )
)

# Payment-method words to finora.models.entry.PAYMENT_METHODS; a word not found is "other".
PAYMENT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _folded(
            "cartão de crédito, cartao de credito, cartão crédito, crédito, credito, credit card, "
            "credit, tarjeta de crédito, tarjeta crédito, cc, visa, mastercard, amex, credit_card"
        ),
        "credit_card",
    ),
    **dict.fromkeys(
        _folded(
            "cartão de débito, cartao de debito, cartão débito, débito, debito, debit card, debit, "
            "tarjeta de débito, tarjeta débito, maestro, debit_card"
        ),
        "debit_card",
    ),
    **dict.fromkeys(
        _folded(
            "pix, transferência, transferencia, transferências, ted, doc, bank transfer, transfer, "
            "wire, wire transfer, transferencia bancaria, transferência bancária, bizum, sepa, ach, "
            "boleto, débito automático, debito automatico, direct debit, domiciliación, bank_transfer, "
            "bank transfer pix, transferência pix, transferencia bancaria pix"
        ),
        "bank_transfer",
    ),
    **dict.fromkeys(_folded("dinheiro, cash, efectivo, espécie, especie, contado, en efectivo"), "cash"),
}


def header_role(header: str) -> tuple[str, int] | None:
    """(role, strength) a header names: 2 when it is one of the role's words, 1 when it
    starts with one; None when it names no role."""
    folded = fold(header)
    if not folded:
        return None
    best: tuple[str, int] | None = None
    for role, words in HEADER_WORDS.items():
        for word in words:
            if folded == word:
                return role, 2
            if best is None and folded.startswith(word + " "):
                best = (role, 1)
    if best is not None and best[0] == "amount" and any(word in folded.split() for word in NOT_AMOUNT):
        return None
    return best


class _Labels(TypedDict, total=False):
    kind: dict[str, str]
    paid: dict[str, bool]
    method: dict[str, str]


_LABELS: _Labels = {}


def _labels() -> _Labels:
    """Finora's own labels for kinds, statuses and payment methods in every language it
    speaks (what its export writes), folded: {"kind": {"receitas": "income"}, "paid":
    {"vencido": False}, "method": {"transferencia pix": "bank_transfer"}}. Read from the
    catalogues once, inside an app (outside one only the word lists above answer)."""
    if _LABELS or not has_app_context():
        return _LABELS
    from flask_babel import force_locale

    from finora.models.labels import ENTRY_KINDS, PAYMENT_METHODS, STATUS_FILTERS, STATUSES
    from finora.models.user import LOCALES

    paid_codes = {"paid": True, "received": True, "pending": False, "overdue": False, "not_received": False}
    found: _Labels = {"kind": {}, "paid": {}, "method": {}}
    for locale in LOCALES:
        with force_locale(locale):
            for code, label in ENTRY_KINDS.items():
                found["kind"][fold(str(label))] = code
            for labels in (STATUSES, STATUS_FILTERS):
                for code, label in labels.items():
                    found["paid"][fold(str(label))] = paid_codes[code]
            for code, label in PAYMENT_METHODS.items():
                found["method"][fold(str(label))] = code
    for code in paid_codes:
        found["paid"].setdefault(fold(code), paid_codes[code])
    for code in ENTRY_KINDS:
        found["kind"].setdefault(code, code)
    for code in PAYMENT_METHODS:
        found["method"].setdefault(fold(code), code)
    _LABELS.update(found)
    return _LABELS


def kind_of(word: str) -> str | None:
    """'income', 'expense', or None for a word that says neither."""
    folded = fold(word) or word.strip()
    if folded in INCOME_WORDS:
        return "income"
    if folded in EXPENSE_WORDS:
        return "expense"
    return _labels().get("kind", {}).get(folded)


def paid_of(word: str) -> bool | None:
    """True for paid/received, False for pending (or overdue), None for a word that says
    neither; an empty cell is paid."""
    folded = fold(word)
    if not folded:
        return True
    if folded in PAID_WORDS:
        return True
    if folded in PENDING_WORDS:
        return False
    return _labels().get("paid", {}).get(folded)


def payment_method_of(word: str) -> str | None:
    """A payment-method code for a label or code of any language; "other" for a word not
    known; None for an empty cell."""
    folded = fold(word)
    if not folded:
        return None
    known = _labels().get("method", {}).get(folded)
    return known or PAYMENT_WORDS.get(folded, "other")


# Finora's own CSV export names its language in its header, and so its date order (the
# export writes pt and es dates day first, en month first; the plain style writes ISO).
_EXPORT_DATE_ORDERS = (
    (frozenset(_folded("data, pago em, conta, situação")), "dmy"),
    (frozenset(_folded("fecha, pagado el, cuenta, estado")), "dmy"),
    (frozenset(_folded("date, paid on, account, status")), "mdy"),
)


def export_date_order(header: list[str] | tuple[str, ...]) -> str | None:
    """The date order of a Finora export whose header this is; None for any other file."""
    folded = {fold(cell) for cell in header}
    for words, order in _EXPORT_DATE_ORDERS:
        if words <= folded:
            return order
    return None
