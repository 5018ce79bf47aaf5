#include "client_handlers.h"

#include <string>

#include "client_json.h"
#include "client_repository.h"
#include "client_validator.h"
#include "csv_writer.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/params.h"
#include "search_index.h"
#include "text.h"

namespace lexos::clients {

namespace {

using sdk::BadRequest;
using sdk::Context;

// A list's total is counted up to this many clients ("10,000 or more"), a search's up to
// kSearchTotalCap: an exact count of 100,000 clients cost ten times the page it came with.
constexpr std::int64_t kListTotalCap = 10000;
constexpr std::int64_t kSearchTotalCap = 1000;

// The {id} of the path. Anything but a positive number is a client that does not exist.
std::int64_t clientId(Context& c) { return sdk::pathId(c, "id"); }

// The list filters shared by the list and the export.
ListQuery filters(Context& c, const std::string& defaultStatus) {
  ListQuery q;
  const auto& req = c.request();
  if (auto raw = req.query("q")) {
    if (!text::isValidUtf8(*raw)) throw BadRequest("q", "Use valid UTF-8 text.");
    const std::string s = text::trim(*raw);
    if (text::length(s) > 100) throw BadRequest("q", "Search for at most 100 characters.");
    q.words = SearchIndex::queryWords(s);
  }
  const std::string status = req.query("status").value_or(defaultStatus);
  if (status == "active" || status == "archived") q.status = status;
  else if (status != "all") throw BadRequest("status", "Choose active, archived or all.");
  if (auto sort = req.query("sort"); sort && !parseSort(*sort, q.sort))
    throw BadRequest("sort", "Choose name, -name, added or -added.");
  if (auto ps = req.query("portal_status")) {
    if (*ps != "none" && *ps != "invited" && *ps != "active" && *ps != "revoked")
      throw BadRequest("portal_status", "Choose none, invited, active or revoked.");
    q.portal_status = *ps;
  }
  try {
    q.selective_tokens = std::stoll(c.config("search_selective_tokens", "20000"));
  } catch (const std::exception&) {
    c.log(sdk::LogLevel::Warning, "[plugin.clients] search_selective_tokens is not a number; using 20000");
  }
  return q;
}

void sendClient(Context& c, const Client& client, int status = 200) {
  c.response().sendJson(ClientJson::encode(client), status);
}

// "kind,name,emails": the top-level fields a patch sent, for the audit log (no values: PII).
std::string fieldList(const sdk::JsonObject& body) {
  std::string out;
  for (const auto& n : body.keys()) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

void ClientHandlers::list(Context& c) {
  ListQuery q = filters(c, "active");
  if (auto n = sdk::queryInt(c, "limit", 1, 100)) q.limit = static_cast<std::size_t>(*n);
  if (auto cur = c.request().query("cursor"); cur && !cur->empty()) {
    q.after = ListCursor::decode(*cur);
    // A cursor marks a place in one order; in another it would skip or repeat clients.
    if (q.after->sort != q.sort)
      throw BadRequest("cursor", "This page link belongs to another sort order; start again from the first page.");
  }
  ClientRepository repo(c.db());
  auto page = repo.list(q);
  std::optional<std::string> next;
  if (page.next) next = page.next->encode();
  // The first page tells how many clients the filters match (up to a cap).
  if (!q.after) {
    const ListTotal total = repo.count(q, q.words.empty() ? kListTotalCap : kSearchTotalCap);
    c.response().sendJson(ClientJson::encodeList(page.items, next, total.count, total.exact));
    return;
  }
  c.response().sendJson(ClientJson::encodeList(page.items, next));
}

void ClientHandlers::get(Context& c) {
  const auto id = clientId(c);
  ClientRepository repo(c.db());
  auto client = repo.find(id);
  if (!client) throw sdk::NotFound();
  c.audit().record("client.view", "client", std::to_string(id));
  sendClient(c, *client);
}

namespace {

// The firm's country, for phone numbers written without a country code; read only when the
// body has phone numbers.
std::string phoneRegion(Context& c, const sdk::JsonObject& body) {
  if (!body.has("phone") && !body.has("phones")) return {};
  sdk::FirmProfile firm;
  c.firm(firm);
  return firm.country;
}

}  // namespace

void ClientHandlers::create(Context& c) {
  const auto body = ClientValidator::readBody(c);
  Client client;
  ClientValidator::apply(body, client, true, phoneRegion(c, body));
  client.id = c.db().newId();
  client.created_at = client.updated_at = c.db().now();
  client.created_by = client.updated_by = c.principal().user_id;
  ClientRepository(c.db()).insert(client);
  c.audit().record("client.create", "client", std::to_string(client.id));
  c.response().setHeader("Location", "/api/v1/clients/" + std::to_string(client.id));
  sendClient(c, client, 201);
}

void ClientHandlers::patch(Context& c) {
  const auto id = clientId(c);
  ClientRepository repo(c.db());
  if (!repo.lock(id)) throw sdk::NotFound();  // another firm's client looks exactly like this
  auto client = repo.find(id);
  if (!client) throw sdk::NotFound();
  const auto body = ClientValidator::readBody(c);
  const auto changes = ClientValidator::apply(body, *client, false, phoneRegion(c, body));
  if (changes.any) {
    client->updated_at = c.db().now();
    client->updated_by = c.principal().user_id;
    repo.update(*client, changes);
    c.audit().record("client.update", "client", std::to_string(id), "fields=" + fieldList(body));
    if (changes.status)
      c.audit().record(*changes.status == "archived" ? "client.archive" : "client.restore", "client",
                       std::to_string(id));
  }
  sendClient(c, *client);
}

void ClientHandlers::setStatus(Context& c, const char* status, const char* action) {
  const auto id = clientId(c);
  ClientRepository repo(c.db());
  if (!repo.lock(id)) throw sdk::NotFound();
  auto client = repo.find(id);
  if (!client) throw sdk::NotFound();
  if (client->status != status) {  // archiving an archived client changes nothing
    client->status = status;
    client->updated_at = c.db().now();
    client->updated_by = c.principal().user_id;
    ClientChanges changes;
    changes.any = true;
    changes.status = status;
    repo.update(*client, changes);
    c.audit().record(action, "client", std::to_string(id));
    // An archived client keeps no way into the portal: its portal users are revoked (their
    // sessions end now); restoring does not re-grant access, staff invite again.
    if (client->status == "archived" && c.identity().revokePortalUsers(id, 0) > 0) {
      c.db().execute("UPDATE clients SET portal_status = 'revoked' WHERE id = $1", {id});
      client->portal_status = "revoked";
    }
  }
  sendClient(c, *client);
}

void ClientHandlers::archive(Context& c) { setStatus(c, "archived", "client.archive"); }

void ClientHandlers::restore(Context& c) { setStatus(c, "active", "client.restore"); }

void ClientHandlers::remove(Context& c) {
  const auto id = clientId(c);
  ClientRepository repo(c.db());
  if (!repo.lock(id)) throw sdk::NotFound();
  auto client = repo.find(id);
  if (!client) throw sdk::NotFound();
  if (client->portal_status == "invited" || client->portal_status == "active")
    throw sdk::Conflict("This client has access to the portal. Revoke it first, or archive the client.");
  repo.remove(id);
  c.audit().record("client.delete", "client", std::to_string(id));
  c.response().setStatus(204);
  c.response().send("");
}

void ClientHandlers::exportCsv(Context& c) {
  ListQuery q = filters(c, "all");
  q.limit = 500;
  ClientRepository repo(c.db());
  auto page = repo.list(q);  // before the body starts, so that an error is still a JSON answer
  const std::string date = c.db().now().substr(0, 10);
  c.response().setStatus(200);
  c.response().setContentType("text/csv; charset=utf-8");
  c.response().setHeader("Content-Disposition", "attachment; filename=\"clients-" + date + ".csv\"");
  CsvWriter csv(c.response().stream());
  csv.row({"id", "kind", "name", "contact_person", "email", "phone", "other_emails", "other_phones", "address_line1",
           "address_line2", "address_city", "address_region", "address_postal_code", "address_country",
           "billing_contact", "billing_email", "billing_address_line1", "billing_address_line2", "billing_address_city",
           "billing_address_region", "billing_address_postal_code", "billing_address_country", "billing_currency",
           "billing_payment_terms_days", "billing_tax_id", "billing_hourly_rate_minor", "status", "portal_status",
           "created_at", "updated_at"});
  auto v = [](const OptText& t) { return t.value_or(""); };
  auto n = [](const std::optional<std::int64_t>& i) { return i ? std::to_string(*i) : std::string(); };
  std::int64_t rows = 0;
  for (;;) {
    for (const auto& cl : page.items) {
      std::string otherEmails, otherPhones;
      for (const auto& e : cl.emails)
        if (!e.primary) otherEmails += (otherEmails.empty() ? "" : "; ") + e.address;
      for (const auto& p : cl.phones)
        if (!p.primary) otherPhones += (otherPhones.empty() ? "" : "; ") + p.number;
      const auto& a = cl.address;
      const auto& b = cl.billing;
      csv.row({std::to_string(cl.id), cl.kind, cl.name, v(cl.contact_person), v(cl.primaryEmail()),
               v(cl.primaryPhone()), otherEmails, otherPhones, v(a.line1), v(a.line2), v(a.city), v(a.region),
               v(a.postal_code), v(a.country), v(b.contact), v(b.email), v(b.address.line1), v(b.address.line2),
               v(b.address.city), v(b.address.region), v(b.address.postal_code), v(b.address.country),
               v(b.currency), n(b.payment_terms_days), v(b.tax_id), n(b.hourly_rate_minor), cl.status,
               cl.portal_status, cl.created_at, cl.updated_at});
      ++rows;
    }
    if (!page.next) break;
    q.after = page.next;  // in the export's order (the list's `sort`)
    page = repo.list(q);
  }
  c.audit().record("clients.export", "client", "", "rows=" + std::to_string(rows));
}

}  // namespace lexos::clients
