/**
 * Which commands a namespaced client may send when they name no key, and which are refused.
 *
 * Names are Redis's own: lower case, subcommands as `container|sub` (`client|kill`).
 * Every keyless command of the table must appear in one of these two lists: a keyless command
 * the table gains in a later version is refused as unknown until it is classified here, so a
 * new server-wide command can never slip through by default.
 */

/** Commands that act on the whole keyspace or server, with the reason shown to the user. */
export const BLOCKED_COMMANDS: Readonly<Record<string, string>> = {
  flushdb: 'it deletes every namespace\'s keys; delete your own with SCAN + UNLINK',
  flushall: 'it deletes every namespace\'s keys in every database',
  swapdb: 'it swaps whole databases under every namespace',
  randomkey: 'it returns a key from any namespace',
  dbsize: 'it counts every namespace\'s keys; count your own with SCAN',
  select: 'it would move every view sharing the connection to another database; set `db` in the client options instead',
  reset: 'it resets the connection shared by every view (database, subscriptions, client name)',
  hello: 'it changes the protocol and credentials of the connection every view shares; set them in the client options',
  auth: 'it changes the credentials of the connection every view shares; set them in the client options',
  'client|reply': 'it switches replies off for every view sharing the connection',
  'function|stats': 'while a function runs it shows that command line, another namespace\'s keys included',
  'function|dump': 'it holds every namespace\'s function code',
  debug: 'it is a server administration command',
  shutdown: 'it stops the server for every namespace',
  monitor: 'it streams every namespace\'s commands',
  save: 'it blocks the server for every namespace',
  bgsave: 'it is a server administration command',
  bgrewriteaof: 'it is a server administration command',
  failover: 'it is a server administration command',
  replicaof: 'it is a server administration command',
  slaveof: 'it is a server administration command',
  sync: 'it is a replication command',
  psync: 'it is a replication command',
  replconf: 'it is a replication command',
  trimslots: 'it deletes keys of every namespace in a slot range',
  'config|get': 'server configuration is shared by every namespace',
  'config|set': 'server configuration is shared by every namespace',
  'config|rewrite': 'server configuration is shared by every namespace',
  'config|resetstat': 'server statistics are shared by every namespace',
  'config|help': 'server configuration is shared by every namespace',
  'script|flush': 'it removes every namespace\'s cached scripts',
  'script|kill': 'it may kill another namespace\'s script',
  'script|debug': 'the synchronous debugger blocks the server for every namespace',
  'function|flush': 'it deletes every namespace\'s functions',
  'function|restore': 'it may replace every namespace\'s functions',
  'function|kill': 'it may kill another namespace\'s function',
  'client|kill': 'it may close another namespace\'s connections',
  'client|pause': 'it pauses every namespace\'s clients',
  'client|unpause': 'it resumes every namespace\'s clients',
  'client|unblock': 'it may unblock another namespace\'s client',
  'acl|deluser': 'ACL users are shared by every namespace',
  'acl|dryrun': 'ACL users are shared by every namespace',
  'acl|getuser': 'ACL users are shared by every namespace',
  'acl|list': 'ACL users are shared by every namespace',
  'acl|load': 'ACL users are shared by every namespace',
  'acl|log': 'the ACL log holds every namespace\'s denied commands',
  'acl|save': 'ACL users are shared by every namespace',
  'acl|setuser': 'ACL users are shared by every namespace',
  'acl|users': 'ACL users are shared by every namespace',
  'module|load': 'modules are loaded for every namespace',
  'module|loadex': 'modules are loaded for every namespace',
  'module|unload': 'modules are unloaded for every namespace',
  'latency|reset': 'latency history is shared by every namespace',
  'slowlog|get': 'slow log entries show other namespaces\' keys',
  'slowlog|reset': 'the slow log is shared by every namespace',
  'pubsub|numpat': 'it counts every namespace\'s pattern subscriptions',
  'hotkeys|get': 'it shows other namespaces\' keys',
  'hotkeys|start': 'key tracking is shared by every namespace',
  'hotkeys|stop': 'key tracking is shared by every namespace',
  'hotkeys|reset': 'key tracking is shared by every namespace',
  'backup|abort': 'it is a server administration command',
  'backup|cleanup': 'it is a server administration command',
  'backup|list': 'it is a server administration command',
  'backup|seal': 'it is a server administration command',
  'backup|start': 'it is a server administration command',
  'backup|status': 'it is a server administration command',
  'cluster|addslots': 'it is a cluster administration command',
  'cluster|addslotsrange': 'it is a cluster administration command',
  'cluster|bumpepoch': 'it is a cluster administration command',
  'cluster|delslots': 'it is a cluster administration command',
  'cluster|delslotsrange': 'it is a cluster administration command',
  'cluster|failover': 'it is a cluster administration command',
  'cluster|flushslots': 'it is a cluster administration command',
  'cluster|forget': 'it is a cluster administration command',
  'cluster|meet': 'it is a cluster administration command',
  'cluster|migration': 'it is a cluster administration command',
  'cluster|replicate': 'it is a cluster administration command',
  'cluster|reset': 'it is a cluster administration command',
  'cluster|saveconfig': 'it is a cluster administration command',
  'cluster|set-config-epoch': 'it is a cluster administration command',
  'cluster|setslot': 'it is a cluster administration command',
  'cluster|syncslots': 'it is a cluster administration command',
  'cluster|countkeysinslot': 'it counts every namespace\'s keys in a slot',
  'cluster|getkeysinslot': 'it returns every namespace\'s keys in a slot',
};

/**
 * Blocked commands refused only because views of several namespaces share one connection: they
 * change the connection (protocol, credentials, database, reply mode) under every view. A
 * connection of one namespace's own (a raw client; a server-side ACL user) needs them to
 * connect, and they reach no other namespace's data. The audit CLI does not report them on raw
 * clients, and its ACL rules do not deny them.
 */
export const CONNECTION_SCOPED_COMMANDS: ReadonlySet<string> = new Set(['hello', 'auth', 'select', 'reset', 'client|reply']);

/**
 * Keyless commands that touch only the connection or read server-wide facts that reveal no key:
 * connection handshake (the drivers send these themselves), transactions, scripting without keys,
 * cluster topology (which cluster clients must be able to read).
 */
export const KEYLESS_COMMANDS: ReadonlySet<string> = new Set([
  'asking', 'quit', 'ping', 'echo', 'time', 'info', 'lastsave', 'lolwut', 'role',
  'multi', 'exec', 'discard', 'unwatch', 'wait', 'waitaof', 'readonly', 'readwrite', 'pfselftest',
  'client|caching', 'client|getname', 'client|getredir', 'client|id', 'client|info', 'client|list',
  'client|no-evict', 'client|no-touch', 'client|setinfo', 'client|setname', 'client|trackinginfo',
  'cluster|count-failure-reports', 'cluster|info', 'cluster|links', 'cluster|myid',
  'cluster|myshardid', 'cluster|nodes', 'cluster|replicas', 'cluster|shards', 'cluster|slaves',
  'cluster|slot-stats', 'cluster|slots',
  'command|count', 'command|docs', 'command|getkeys', 'command|getkeysandflags', 'command|info', 'command|list',
  'acl|cat', 'acl|genpass', 'acl|whoami',
  'latency|doctor', 'latency|graph', 'latency|histogram', 'latency|history', 'latency|latest',
  'memory|doctor', 'memory|malloc-stats', 'memory|purge', 'memory|stats',
  'module|list', 'slowlog|len',
]);
