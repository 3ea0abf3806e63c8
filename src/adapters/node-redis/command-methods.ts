import { IsolationConfigError } from '../../core/index.js';
import { commandPrototype } from './internals.js';

/**
 * node-redis generates one method per command, which parses its arguments and then calls
 * `this._self._executeCommand(...)` (a cluster: `this._self._executeWithPolicies(...)`), where
 * `_self` is the real client instance. A view cannot give itself another `_self` (the client's
 * private fields live on that instance only), so each command method of the view calls the
 * generated method with a *receiver*: an object whose `_self` is the view, whose executor the
 * view overrides. Everything else the method reads (`_keyPrefix`, `_commandOptions`) it finds on
 * the view and, through it, on the client.
 */
const RECEIVER = Symbol('isolated-redis.node-redis.receiver');

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** One descriptor map per generated prototype, shared by every view of such clients. */
const methodsByPrototype = new WeakMap<object, PropertyDescriptorMap>();

function commandMethods(proto: object): PropertyDescriptorMap {
  const cached = methodsByPrototype.get(proto);
  if (cached) return cached;
  const methods: PropertyDescriptorMap = {};
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name === 'Multi') continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor?.get) {
      methods[name] = namespaceAccessor(descriptor.get);
      continue;
    }
    const generated = descriptor?.value as Method | undefined;
    if (typeof generated !== 'function') continue;
    methods[name] = {
      value: function (this: { [RECEIVER]?: object }, ...args: unknown[]) {
        return generated.apply(this[RECEIVER] ?? this, args);
      },
      writable: true,
      configurable: true,
      enumerable: false,
    };
  }
  methodsByPrototype.set(proto, methods);
  return methods;
}

/**
 * Module commands (`client.json.get`) and function libraries (`client.mylib.fn`) are getters
 * that return an object of commands bound to a receiver through its `_self`. node-redis 5 caches
 * that object as an own property of whichever object read it first: a view would inherit the
 * raw client's, bound to the raw client. The view's accessor binds one per receiver itself, to
 * the view, whose executors then guard the commands.
 */
function namespaceAccessor(getter: (this: object) => unknown): PropertyDescriptor {
  let commands: object | undefined;
  const bound = new WeakMap<object, object>();
  return {
    get(this: object) {
      let namespace = bound.get(this);
      if (!namespace) {
        // The commands object the getter wraps; asked of a throw-away receiver, so nothing is cached on a real one.
        commands ??= Object.getPrototypeOf(getter.call(Object.create(this) as object)) as object;
        namespace = Object.create(commands) as object;
        Object.defineProperty(namespace, '_self', { value: this });
        bound.set(this, namespace);
      }
      return namespace;
    },
    configurable: true,
    enumerable: false,
  };
}

/**
 * Per client object: an object whose prototype is the client and which holds the view version of
 * every command method. Views of that client (one per namespace, and the views `withTypeMapping`
 * and friends derive) all inherit from it, so the several hundred methods are defined once per
 * client, not once per view.
 */
const layers = new WeakMap<object, object>();

/** The object a view of `client` inherits its command methods from (see `layers`). */
export function commandLayer(client: object): object {
  let layer = layers.get(client);
  if (!layer) {
    const proto = commandPrototype(client);
    if (!proto) throw new IsolationConfigError('the node-redis client has no command prototype (an unsupported version of node-redis?)');
    layer = Object.create(client, commandMethods(proto)) as object;
    layers.set(client, layer);
  }
  return layer;
}

/** Whether `view` runs its command methods with a receiver of its own (client and cluster views do; pool views do not). */
export function hasReceiver(view: object): boolean {
  return RECEIVER in view;
}

/** Gives `view` the receiver its command methods run with (see `RECEIVER`), now. */
export function bindReceiver(view: object): object {
  const receiver = Object.create(view) as object;
  Object.defineProperty(receiver, '_self', { value: view });
  Object.defineProperty(view, RECEIVER, { value: receiver });
  return receiver;
}

/**
 * Gives every view over `base` its receiver on first need (the first command it runs): a view
 * that runs no command never becomes a prototype (which V8 makes costly), and costs no receiver.
 * Views derived with other command options bind theirs at once ({@link bindReceiver}): an
 * inherited receiver would run their commands with their parent's options.
 */
export function lazyReceivers(base: object): void {
  Object.defineProperty(base, RECEIVER, {
    get(this: object) {
      // The base itself is no view: its receiver would be inherited by every view made later.
      if (this === base) throw new IsolationConfigError('an isolated node-redis view method was called on something that is not an isolated view');
      return bindReceiver(this);
    },
    configurable: true,
  });
}
