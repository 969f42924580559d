import { useEffect, useState } from 'react';

/** Screens are addressed by the URL hash, so reload, back and deep links work on a static host. */
export type Route =
  | { page: 'integrations' }
  | { page: 'connections' }
  | { page: 'new' }
  | { page: 'edit'; id: string }
  | { page: 'deliveries'; id?: string }
  | { page: 'chats'; id?: string };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'integrations' && parts[1] === 'new') return { page: 'new' };
  if (parts[0] === 'integrations' && parts[1] && parts[2] === 'edit') return { page: 'edit', id: parts[1] };
  if (parts[0] === 'connections') return { page: 'connections' };
  if (parts[0] === 'deliveries') return { page: 'deliveries', id: parts[1] };
  if (parts[0] === 'chats') return { page: 'chats', id: parts[1] };
  return { page: 'integrations' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'new':
      return '#/integrations/new';
    case 'edit':
      return `#/integrations/${encodeURIComponent(route.id)}/edit`;
    case 'connections':
      return '#/connections';
    case 'deliveries':
    case 'chats':
      return `#/${route.page}${route.id ? `/${encodeURIComponent(route.id)}` : ''}`;
    default:
      return '#/integrations';
  }
}

export const navigate = (route: Route) => {
  window.location.hash = hrefOf(route);
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
