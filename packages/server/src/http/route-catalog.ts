// The list of every registered route with its declarations: used for 405 answers and the route-permission test.
import type { FastifyInstance, RouteOptions } from 'fastify';

/** One registered route as declared. */
export interface CatalogRoute {
  readonly method: string;
  readonly url: string;
  readonly config: RouteOptions['config'];
}

function patternOf(url: string): RegExp {
  const escaped = url
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Collects routes as they are registered. Registration fails for a route that declares no
 * `config.access`, so a forgotten permission cannot reach production.
 */
export class RouteCatalog {
  private readonly routes: { route: CatalogRoute; pattern: RegExp }[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (options) => {
      const methods = Array.isArray(options.method) ? options.method : [options.method];
      // The API documentation UI is registered by a plugin and is public by SPEC §2.3.
      if (options.url.startsWith('/docs') && options.config?.access === undefined) {
        options.config = { ...options.config, access: { kind: 'public' } };
      }
      const config = options.config ?? {};
      if (config.access === undefined) {
        throw new Error(`Route ${methods.join(',')} ${options.url} declares no required access (config.access)`);
      }
      for (const method of methods) this.routes.push({ route: { method, url: options.url, config }, pattern: patternOf(options.url) });
    });
  }

  list(): readonly CatalogRoute[] {
    return this.routes.map((entry) => entry.route);
  }

  /** Methods registered for a concrete path. */
  methodsForPath(path: string): string[] {
    return [...new Set(this.routes.filter((entry) => entry.pattern.test(path)).map((entry) => entry.route.method))];
  }
}
