#pragma once
// The billing module's tables. One SQL text for both engines. Money is BIGINT in the currency's
// minor unit (money.h); quantities in thousandths; rates in basis points (2000 = 20%).

namespace lexos::billing::schema {

inline constexpr const char* kV1 = R"SQL(
CREATE TABLE billing_user_rates (
  firm_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  rate_minor BIGINT NOT NULL CHECK (rate_minor >= 0),
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, user_id)
);
CREATE TABLE billing_time_entries (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  entry_date TEXT NOT NULL,
  minutes BIGINT NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
  rate_minor BIGINT NOT NULL CHECK (rate_minor >= 0),
  rate_source TEXT NOT NULL CHECK (rate_source IN ('entry', 'client', 'user')),
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  description TEXT NOT NULL,
  billable BOOLEAN NOT NULL DEFAULT TRUE,
  invoice_id BIGINT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id)
);
CREATE INDEX billing_time_by_case ON billing_time_entries (firm_id, case_id, entry_date, id);
CREATE INDEX billing_time_unbilled ON billing_time_entries (firm_id, client_id, invoice_id);
CREATE TABLE billing_expenses (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  expense_date TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  description TEXT NOT NULL,
  billable BOOLEAN NOT NULL DEFAULT TRUE,
  invoice_id BIGINT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id)
);
CREATE INDEX billing_expenses_by_case ON billing_expenses (firm_id, case_id, expense_date, id);
CREATE TABLE billing_invoices (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'void')),
  number TEXT,
  currency TEXT NOT NULL,
  issued_on TEXT,
  due_on TEXT,
  payment_terms_days BIGINT NOT NULL DEFAULT 30,
  subtotal_minor BIGINT NOT NULL DEFAULT 0,
  discount_bp BIGINT,
  discount_minor BIGINT NOT NULL DEFAULT 0,
  tax_name TEXT NOT NULL DEFAULT '',
  tax_rate_bp BIGINT NOT NULL DEFAULT 0,
  tax_minor BIGINT NOT NULL DEFAULT 0,
  total_minor BIGINT NOT NULL DEFAULT 0,
  paid_minor BIGINT NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  client_visible BOOLEAN NOT NULL DEFAULT FALSE,
  voided_at TEXT,
  void_reason TEXT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, number),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE INDEX billing_invoices_by_client ON billing_invoices (firm_id, client_id, status, id);
CREATE TABLE billing_invoice_lines (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  invoice_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  position BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('time', 'expense', 'flat')),
  description TEXT NOT NULL,
  quantity_milli BIGINT NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  taxable BOOLEAN NOT NULL DEFAULT TRUE,
  case_id BIGINT,
  time_entry_id BIGINT,
  expense_id BIGINT,
  client_visible BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, invoice_id) REFERENCES billing_invoices (firm_id, id)
);
CREATE INDEX billing_lines_by_invoice ON billing_invoice_lines (firm_id, invoice_id, position);
CREATE TABLE billing_invoice_counters (
  firm_id BIGINT NOT NULL,
  year BIGINT NOT NULL,
  last_number BIGINT NOT NULL,
  PRIMARY KEY (firm_id, year)
);
)SQL";

// Payments (recorded by staff; online ones come with the provider) and their receipts: one
// receipt per payment, numbered R-YYYY-NNNN without gaps per firm and year.
inline constexpr const char* kV2 = R"SQL(
CREATE TABLE billing_payments (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  invoice_id BIGINT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('check', 'wire', 'cash', 'card_present', 'card_online', 'trust')),
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  received_on TEXT NOT NULL,
  reference TEXT NOT NULL DEFAULT '',
  receipt_number TEXT NOT NULL,
  refunded_minor BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
  client_visible BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, receipt_number),
  FOREIGN KEY (firm_id, invoice_id) REFERENCES billing_invoices (firm_id, id)
);
CREATE INDEX billing_payments_by_invoice ON billing_payments (firm_id, invoice_id, id);
CREATE INDEX billing_payments_by_client ON billing_payments (firm_id, client_id, id);
CREATE TABLE billing_refunds (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  payment_id BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, payment_id) REFERENCES billing_payments (firm_id, id)
);
CREATE TABLE billing_receipt_counters (
  firm_id BIGINT NOT NULL,
  year BIGINT NOT NULL,
  last_number BIGINT NOT NULL,
  PRIMARY KEY (firm_id, year)
);
)SQL";

// Credit notes, the trust (retainer) ledger, and what online payments need: the provider's
// reference of a payment (unique: a replayed webhook finds it) and the provider events seen.
inline constexpr const char* kV3 = R"SQL(
ALTER TABLE billing_invoices ADD COLUMN credited_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE billing_payments ADD COLUMN provider_ref TEXT;
CREATE UNIQUE INDEX billing_payments_by_provider_ref ON billing_payments (firm_id, provider_ref);
CREATE TABLE billing_credit_notes (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  invoice_id BIGINT NOT NULL,
  number TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  client_visible BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, number),
  FOREIGN KEY (firm_id, invoice_id) REFERENCES billing_invoices (firm_id, id)
);
CREATE INDEX billing_credit_notes_by_invoice ON billing_credit_notes (firm_id, invoice_id, id);
CREATE TABLE billing_credit_counters (
  firm_id BIGINT NOT NULL,
  year BIGINT NOT NULL,
  last_number BIGINT NOT NULL,
  PRIMARY KEY (firm_id, year)
);
CREATE TABLE billing_trust_accounts (
  firm_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  currency TEXT NOT NULL,
  balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
  client_visible BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, client_id),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE TABLE billing_trust_entries (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('deposit', 'application', 'refund', 'returned')),
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  entry_date TEXT NOT NULL,
  invoice_id BIGINT,
  payment_id BIGINT,
  reference TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  balance_after_minor BIGINT NOT NULL CHECK (balance_after_minor >= 0),
  client_visible BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id)
);
CREATE INDEX billing_trust_by_client ON billing_trust_entries (firm_id, client_id, id);
CREATE TABLE billing_provider_events (
  firm_id BIGINT NOT NULL,
  provider TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, provider, event_id)
);
CREATE INDEX billing_invoices_aging ON billing_invoices (firm_id, status, due_on);
)SQL";

// What is still owed, for the aging report and the balances: a partial index of the issued
// invoices with a balance (a fifth of a firm's invoices, typically), which the aging query reads
// without touching the table. Measured by bench/billing.sh on 100k invoices: 4x on PostgreSQL.
// SQLite has partial indexes but no INCLUDE.
inline constexpr const char* kV4Postgres = R"SQL(
CREATE INDEX billing_invoices_owing ON billing_invoices (firm_id, client_id, currency)
  INCLUDE (due_on, issued_on, total_minor, paid_minor, credited_minor)
  WHERE status = 'issued' AND total_minor - paid_minor - credited_minor > 0;
)SQL";
inline constexpr const char* kV4Sqlite = R"SQL(
CREATE INDEX billing_invoices_owing ON billing_invoices (firm_id, client_id, currency, due_on)
  WHERE status = 'issued' AND total_minor - paid_minor - credited_minor > 0;
)SQL";

// The provider's id of a refund it made (a refund of a card payment taken online).
inline constexpr const char* kV5 = R"SQL(
ALTER TABLE billing_refunds ADD COLUMN provider_ref TEXT;
)SQL";

// The firm's billing settings: its address and tax id on invoices and receipts (the portal reads
// them, for its PDFs), and its tax rates, one of which may be the default of new invoices.
inline constexpr const char* kV6 = R"SQL(
CREATE TABLE billing_settings (
  firm_id BIGINT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  tax_id TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id)
);
CREATE TABLE billing_tax_rates (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  name TEXT NOT NULL,
  rate_bp BIGINT NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  position BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id)
);
)SQL";

}  // namespace lexos::billing::schema
