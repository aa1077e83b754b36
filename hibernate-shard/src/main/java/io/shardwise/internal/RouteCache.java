package io.shardwise.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.shardwise.topology.PlacementStatus;
import io.shardwise.topology.TenantPlacement;

/**
 * The local tenant-to-shard cache, laid out for the routing hot path: a lookup hashes the tenant id (no allocation)
 * and reads one 32-byte slot of one flat {@code long[]}, which holds everything routing needs: no table node, no
 * stored key string, no route object. Routing then reads the shard's handle from a small array that stays in the CPU
 * cache. At a million tenants that is one cache miss per lookup where a {@code ConcurrentHashMap<String, Route>} took
 * four or five (see docs/benchmarks.md).
 * <p>
 * <b>Layout.</b> Open addressing with linear probing. Slot {@code i} is four longs: the tenant id's 128-bit
 * fingerprint (two longs), the route's expiry (nanos on the injected clock), and the <em>route word</em> (the shard's
 * index in {@link #shard} and the placement status; 0 = empty slot, -1 = removed). A parallel array holds each slot's
 * {@link TenantPlacement} for the paths that need the whole placement (the public placement lookup, messages,
 * version checks on writes). The fingerprint is MurmurHash3 x64 128-bit over the id's UTF-16 code units, seed 0 (the
 * same value as commons-codec's {@code MurmurHash3.hash128x64} over the UTF-16LE bytes, computed here without the byte
 * array): a lookup compares two longs instead of strings. Two tenant ids share a fingerprint with probability
 * 2<sup>-128</sup> per pair; {@link #put} checks the cached ids and refuses such a collision loudly instead of routing
 * one tenant by another's placement. A lookup of an id that is <em>not</em> cached could match a cached fingerprint
 * with probability n/2<sup>128</sup> (about 10<sup>-33</sup> per lookup at a million cached tenants): the one guarantee
 * this layout trades for its speed.
 * <p>
 * <b>Concurrency.</b> Lookups take no lock: they read the table through a volatile field and each slot's route word
 * with acquire semantics before its other longs. Changes are rare (store events, cache fills on misses) and run one at
 * a time under a lock; a writer fills a slot's longs and placement first and publishes the route word last, with
 * release semantics. A slot only ever holds one tenant: removal writes -1 into the route word and the slot is reused
 * only by the same fingerprint, so a reader can never pair one tenant's fingerprint with another's route. Growth and
 * the sweeping of removed slots build a new table, published with one volatile write. A lookup racing a change sees
 * the route before or after it, or misses; a miss only sends the caller to the store, so a race can cost a store
 * read, never a wrong route. A newer placement version always wins over an older one, so a slow cache fill can never
 * overwrite a change that was reported meanwhile.
 * <p>
 * Entries expire after a TTL (a bound on staleness for changes the store does not report) and are replaced or
 * dropped at once when the store reports a change.
 */
public final class RouteCache {
	/** What {@link #get} and {@link #put} return for "no route". */
	public static final long MISS = 0;
	private static final long EMPTY = 0;
	private static final long REMOVED = -1;
	private static final int STRIDE = 4;
	private static final int FP_LOW = 0;
	private static final int FP_HIGH = 1;
	private static final int EXPIRES = 2;
	private static final int WORD = 3;
	/**
	 * Longs before slot 0: with the 16-byte array header, slots start on 64-byte boundaries when the array does (as
	 * G1 places arrays this large), so no slot straddles two cache lines.
	 */
	private static final int BASE = 6;
	private static final int MIN_CAPACITY = 16;
	private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle( long[].class );
	private static final PlacementStatus[] STATUSES = PlacementStatus.values();

	private volatile Table table = new Table( MIN_CAPACITY );
	/** Shard handles by the index route words carry; index 0 is "no handle". Copy-on-write under {@link #lock}. */
	private volatile ShardHandle[] shards = new ShardHandle[1];
	private final Map<ShardHandle, Integer> shardIndexes = new IdentityHashMap<>();
	private volatile int size;
	/** Live plus removed slots; the table is rebuilt before this passes half its capacity. Under {@link #lock}. */
	private int occupied;
	private final Object lock = new Object();

	private final LongAdder requests = new LongAdder();
	private final LongAdder hits = new LongAdder();
	private final long ttlNanos;
	private final LongSupplier nanoClock;

	public RouteCache(java.time.Duration ttl, LongSupplier nanoClock) {
		this.ttlNanos = ttl.toNanos();
		this.nanoClock = nanoClock;
	}

	// ---------------------------------------------------------------- reads (hot path)

	/**
	 * The tenant's cached, unexpired route word, or {@link #MISS}; counts the request and, if found, the hit. Read
	 * it with {@link #status(long)} and {@link #shard(long)}.
	 */
	public long get(String tenantId) {
		requests.increment();
		long word = lookup( tenantId );
		if ( word != MISS ) {
			hits.increment();
		}
		return word;
	}

	/** The placement status a route word carries. */
	public static PlacementStatus status(long route) {
		return STATUSES[(int) ( route & 0xff ) - 1];
	}

	/** The shard handle a route word names (a handle that left the topology meanwhile stays readable, closed). */
	public ShardHandle shard(long route) {
		return shards[(int) ( route >>> 8 )];
	}

	private long lookup(String tenantId) {
		Table t = table;
		int slot = find( t, tenantId, null );
		if ( slot < 0 ) {
			return MISS;
		}
		long[] slots = t.slots;
		long word = (long) LONGS.getAcquire( slots, slot + WORD );
		if ( word == REMOVED || nanoClock.getAsLong() - slots[slot + EXPIRES] >= 0 ) {
			return MISS;
		}
		return word;
	}

	/**
	 * The tenant's cached, unexpired placement, or {@code null}; counts the request and the hit like {@link #get}.
	 */
	public TenantPlacement placement(String tenantId) {
		requests.increment();
		TenantPlacement p = peek( tenantId );
		if ( p != null ) {
			hits.increment();
		}
		return p;
	}

	/** The tenant's cached, unexpired placement, or {@code null}, without counting (messages, tests). */
	public TenantPlacement peek(String tenantId) {
		Table t = table;
		int slot = find( t, tenantId, null );
		if ( slot >= 0 ) {
			long word = (long) LONGS.getAcquire( t.slots, slot + WORD );
			if ( word != REMOVED && nanoClock.getAsLong() - t.slots[slot + EXPIRES] < 0 ) {
				return t.placements[( slot - BASE ) / STRIDE];
			}
		}
		return null;
	}

	/**
	 * The first slot offset holding the tenant id's fingerprint with a route word that is not empty (live or
	 * removed: callers check), or -1; stores the fingerprint in {@code fingerprint} when one is given (the write
	 * path). The hash is inlined here so that the hot path allocates nothing.
	 */
	static int find(Table table, String tenantId, long[] fingerprint) {
		final long c1 = 0x87c37b91114253d5L;
		final long c2 = 0x4cf5ad432745937fL;
		int n = tenantId.length();
		long h1 = 0;
		long h2 = 0;
		int i = 0;
		for ( ; i + 8 <= n; i += 8 ) {
			long k1 = chars4( tenantId, i );
			long k2 = chars4( tenantId, i + 4 );
			h1 ^= Long.rotateLeft( k1 * c1, 31 ) * c2;
			h1 = ( Long.rotateLeft( h1, 27 ) + h2 ) * 5 + 0x52dce729;
			h2 ^= Long.rotateLeft( k2 * c2, 33 ) * c1;
			h2 = ( Long.rotateLeft( h2, 31 ) + h1 ) * 5 + 0x38495ab5;
		}
		int rest = n - i;
		if ( rest > 0 ) {
			long k1 = 0;
			long k2 = 0;
			for ( int j = 0; j < rest; j++ ) {
				long c = tenantId.charAt( i + j );
				if ( j < 4 ) {
					k1 |= c << ( 16 * j );
				}
				else {
					k2 |= c << ( 16 * ( j - 4 ) );
				}
			}
			if ( rest > 4 ) {
				h2 ^= Long.rotateLeft( k2 * c2, 33 ) * c1;
			}
			h1 ^= Long.rotateLeft( k1 * c1, 31 ) * c2;
		}
		long bytes = 2L * n;
		h1 ^= bytes;
		h2 ^= bytes;
		h1 += h2;
		h2 += h1;
		h1 = fmix64( h1 );
		h2 = fmix64( h2 );
		h1 += h2;
		h2 += h1;
		if ( fingerprint != null ) {
			fingerprint[0] = h1;
			fingerprint[1] = h2;
		}
		long[] slots = table.slots;
		int mask = table.capacity - 1;
		for ( int at = (int) h1 & mask; ; at = ( at + 1 ) & mask ) {
			int slot = BASE + at * STRIDE;
			long word = (long) LONGS.getAcquire( slots, slot + WORD );
			if ( word == EMPTY ) {
				return -1;
			}
			if ( slots[slot + FP_LOW] == h1 && slots[slot + FP_HIGH] == h2 && word != REMOVED ) {
				return slot;
			}
		}
	}

	private static long chars4(String s, int i) {
		return s.charAt( i ) | (long) s.charAt( i + 1 ) << 16 | (long) s.charAt( i + 2 ) << 32
				| (long) s.charAt( i + 3 ) << 48;
	}

	private static long fmix64(long k) {
		k ^= k >>> 33;
		k *= 0xff51afd7ed558ccdL;
		k ^= k >>> 33;
		k *= 0xc4ceb9fe1a85ec53L;
		return k ^ ( k >>> 33 );
	}

	/** The 128-bit fingerprint a route of this tenant id carries: {low, high}. */
	static long[] fingerprint(String tenantId) {
		long[] fp = new long[2];
		find( new Table( 1 ), tenantId, fp );
		return fp;
	}

	// ---------------------------------------------------------------- changes (under the lock)

	/** Stores a route unless a newer version of the placement is cached already; returns the route word in force. */
	public long put(TenantPlacement placement, ShardHandle shard) {
		String tenantId = placement.tenantId();
		long[] fp = new long[2];
		synchronized ( lock ) {
			Table t = table;
			find( t, tenantId, fp );
			int slot = slotFor( t, fp[0], fp[1] );
			long word = t.slots[slot + WORD];
			if ( word != EMPTY ) {
				TenantPlacement old = t.placements[( slot - BASE ) / STRIDE];
				if ( !old.tenantId().equals( tenantId ) ) {
					throw new IllegalStateException( "route cache: tenants '" + old.tenantId() + "' and '" + tenantId
							+ "' share a 128-bit fingerprint; please report this as a Shardwise bug" );
				}
				if ( word != REMOVED && old.version() > placement.version() ) {
					return word;
				}
			}
			else if ( 2 * ( occupied + 1 ) > t.capacity ) {
				t = rebuild( t, size + 1 );
				slot = slotFor( t, fp[0], fp[1] );
			}
			long fresh = (long) shardIndex( shard ) << 8 | placement.status().ordinal() + 1;
			long[] slots = t.slots;
			long before = slots[slot + WORD];
			slots[slot + FP_LOW] = fp[0];
			slots[slot + FP_HIGH] = fp[1];
			slots[slot + EXPIRES] = nanoClock.getAsLong() + ttlNanos;
			t.placements[( slot - BASE ) / STRIDE] = placement;
			LONGS.setRelease( slots, slot + WORD, fresh );
			if ( before == EMPTY ) {
				occupied++;
			}
			if ( before == EMPTY || before == REMOVED ) {
				size++;
			}
			return fresh;
		}
	}

	/** The slot holding this fingerprint (live or removed), else the first empty slot of its probe sequence. */
	private static int slotFor(Table t, long low, long high) {
		long[] slots = t.slots;
		int mask = t.capacity - 1;
		for ( int i = (int) low & mask; ; i = ( i + 1 ) & mask ) {
			int slot = BASE + i * STRIDE;
			if ( slots[slot + WORD] == EMPTY || slots[slot + FP_LOW] == low && slots[slot + FP_HIGH] == high ) {
				return slot;
			}
		}
	}

	/** The index route words carry for this handle, registering it on first use. */
	private int shardIndex(ShardHandle shard) {
		if ( shard == null ) {
			return 0;
		}
		Integer index = shardIndexes.get( shard );
		if ( index == null ) {
			ShardHandle[] grown = Arrays.copyOf( shards, shards.length + 1 );
			index = shards.length;
			grown[index] = shard;
			shards = grown;
			shardIndexes.put( shard, index );
		}
		return index;
	}

	public void remove(String tenantId) {
		synchronized ( lock ) {
			Table t = table;
			int slot = find( t, tenantId, null );
			if ( slot >= 0 ) {
				LONGS.setRelease( t.slots, slot + WORD, REMOVED );
				size--;
			}
		}
	}

	/** Drops every route to the shard and rebuilds the table without them (a shard leaving is rare). */
	public void removeShard(String shard) {
		synchronized ( lock ) {
			Table t = table;
			for ( int i = 0; i < t.capacity; i++ ) {
				int slot = BASE + i * STRIDE;
				long word = t.slots[slot + WORD];
				if ( word != EMPTY && word != REMOVED && t.placements[i].shard().equals( shard ) ) {
					LONGS.setRelease( t.slots, slot + WORD, REMOVED );
					size--;
				}
			}
			rebuild( t, size );
		}
	}

	public void clear() {
		synchronized ( lock ) {
			table = new Table( MIN_CAPACITY );
			size = 0;
			occupied = 0;
		}
	}

	/**
	 * A new table holding the live routes, a quarter to half full with {@code entries} (so a growing table doubles;
	 * never smaller than the old one unless that one holds few live routes), published at once.
	 */
	private Table rebuild(Table old, int entries) {
		int capacity = Math.max( MIN_CAPACITY, Integer.highestOneBit( Math.max( 1, entries * 2 ) ) << 1 );
		if ( entries > old.capacity / 8 ) {
			capacity = Math.max( capacity, old.capacity );
		}
		Table t = new Table( capacity );
		int live = 0;
		for ( int i = 0; i < old.capacity; i++ ) {
			int from = BASE + i * STRIDE;
			long word = old.slots[from + WORD];
			if ( word != EMPTY && word != REMOVED ) {
				int to = slotFor( t, old.slots[from + FP_LOW], old.slots[from + FP_HIGH] );
				System.arraycopy( old.slots, from, t.slots, to, STRIDE );
				t.placements[( to - BASE ) / STRIDE] = old.placements[i];
				live++;
			}
		}
		occupied = live;
		table = t;
		return t;
	}

	// ---------------------------------------------------------------- statistics

	/** Takes back the request {@link #get} just counted: a lookup that was not a tenant's (a cross-shard session). */
	public void uncountRequest() {
		requests.decrement();
	}

	public long requests() {
		return requests.sum();
	}

	public long hits() {
		return hits.sum();
	}

	public long size() {
		return size;
	}

	/** The table's capacity in slots (tests: growth and the sweeping of removed slots). */
	int capacity() {
		return table.capacity;
	}

	/** One generation of the table: the slots' longs, and their placements. */
	static final class Table {
		final int capacity;
		final long[] slots;
		final TenantPlacement[] placements;

		Table(int capacity) {
			this.capacity = capacity;
			this.slots = new long[BASE + capacity * STRIDE];
			this.placements = new TenantPlacement[capacity];
		}
	}
}
