// The documents module's card on the case page (extension point "staff.case.cards", people
// with documents.read): the case's documents, upload, sharing, versions, trash and ledger
// (staff_documents.js).

import { styles } from './parts.js';
import { documentsPanel } from './staff_documents.js';

export async function render(mount, kit, ctx) {
  await styles();
  await documentsPanel(mount, ctx, { caseId: ctx.case_id, caseName: ctx.case && ctx.case.title,
    clientName: ctx.case && ctx.case.client_name });
}
