// The billing module's second card on the case page (extension point "staff.case.cards",
// people with billing.time): "Record time" for those who record time but may not read the
// firm's billing (a paralegal by default): the forms and the timer, and what they recorded on
// this page. Whoever also holds billing.read has the full card (case_card.js), so this one
// takes itself off the page for them.

import { can } from '/shared/js/kit.js';
import { styles } from './staff_parts.js';
import { timePanel } from './time_panel.js';

export async function render(mount, kit, ctx) {
  if (can('billing.read')) {
    const card = mount.closest('section');
    if (card) card.hidden = true;
    return {};
  }
  await styles();
  return timePanel(mount, ctx, { withList: false });
}
