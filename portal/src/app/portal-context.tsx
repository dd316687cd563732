/** What every page needs: the API, the signed-in user as the API sees them (`/api/me`), and what they may do. */
import { createContext, useContext } from 'react';
import type { Api } from '../api/client';

export interface Me {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  roles: string[];
  authenticationMethods: string[];
  authenticationContexts: string[];
}

export interface Portal {
  api: Api;
  me: Me;
  /** PimFlow.Admin: may change settings, assignments and reviews. */
  isAdmin: boolean;
  /** PimFlow.Auditor (and not Admin): sees the admin pages read-only. */
  isAuditor: boolean;
}

export const PortalContext = createContext<Portal | null>(null);

export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal() outside the signed-in portal');
  return portal;
}

export function portalFor(api: Api, me: Me): Portal {
  const isAdmin = me.roles.includes('PimFlow.Admin');
  return { api, me, isAdmin, isAuditor: !isAdmin && me.roles.includes('PimFlow.Auditor') };
}
