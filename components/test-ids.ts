// One home for the data-testid values: components render them and e2e/ selects by them, so a rename
// breaks the type check instead of silently breaking a test.
export const testIds = {
  appHeader: 'app-header',
  appNav: 'app-nav',
  homeHeading: 'home-heading',
  homeEmptyState: 'home-empty-state',
  notFound: 'not-found',
  routeError: 'route-error',
  routeLoading: 'route-loading',
} as const;

export type TestId = (typeof testIds)[keyof typeof testIds];
