import { AgentsPage } from './agents-page.js';
import { CannedPage } from './canned-page.js';
import { DeliveriesPage } from './deliveries-page.js';
import { InspectorPage } from './inspector-page.js';
import { KeysPage } from './keys-page.js';
import { OfferPage } from './offer-page.js';
import { QueuesPage } from './queues-page.js';

// The admin pages (shown to admins only; the hub enforces it anyway).

export const ADMIN_PAGES = [
  { id: 'agents', label: 'Agents' },
  { id: 'queues', label: 'Queues' },
  { id: 'keys', label: 'API keys' },
  { id: 'canned', label: 'Canned' },
  { id: 'offers', label: 'Offers' },
  { id: 'deliveries', label: 'Deliveries' },
  { id: 'inspector', label: 'Inspector' },
] as const;

export function AdminPage({ page, id }: { page: string; id: string | undefined }) {
  switch (page) {
    case 'queues':
      return <QueuesPage />;
    case 'keys':
      return <KeysPage />;
    case 'canned':
      return <CannedPage />;
    case 'offers':
      return <OfferPage />;
    case 'deliveries':
      return <DeliveriesPage />;
    case 'inspector':
      return <InspectorPage conversationId={id} />;
    default:
      return <AgentsPage />;
  }
}
