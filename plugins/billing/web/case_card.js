// The billing module's card on the case page (extension point "staff.case.cards", people with
// billing.read): the case's time entries and expenses, the unbilled totals, and for those who
// record time (billing.time) "Add time" with a timer, "Add expense" and Delete of an unbilled
// entry (time_panel.js).

import { styles } from './staff_parts.js';
import { timePanel } from './time_panel.js';

export async function render(mount, kit, ctx) {
  await styles();
  return timePanel(mount, ctx, { withList: true });
}
