// Package cache keeps items in Redis (go-redis v9). Without an address the
// cache is off: every lookup misses and every store is dropped, so that the
// service runs without a Redis server.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"

	"example.com/benchtwin/internal/store"
)

// TTL is how long an item stays cached.
const TTL = 30 * time.Second

// Cache is a Redis client, or nothing.
type Cache struct {
	rdb *redis.Client
}

// New connects to the Redis server at addr; "" turns the cache off.
func New(addr string) *Cache {
	if addr == "" {
		return &Cache{}
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	if err := redisotel.InstrumentTracing(rdb); err != nil {
		panic(err) // only for invalid options
	}
	if err := redisotel.InstrumentMetrics(rdb); err != nil {
		panic(err) // only for invalid options
	}
	return &Cache{rdb: rdb}
}

// Enabled reports whether there is a Redis server behind the cache.
func (c *Cache) Enabled() bool { return c.rdb != nil }

// Ping checks the connection.
func (c *Cache) Ping(ctx context.Context) error {
	if c.rdb == nil {
		return nil
	}
	return c.rdb.Ping(ctx).Err()
}

func key(id int64) string { return "item:" + strconv.FormatInt(id, 10) }

// Item returns the cached item, if any.
func (c *Cache) Item(ctx context.Context, id int64) (store.Item, bool) {
	if c.rdb == nil {
		return store.Item{}, false
	}
	data, err := c.rdb.Get(ctx, key(id)).Bytes()
	if err != nil {
		return store.Item{}, false
	}
	var it store.Item
	if json.Unmarshal(data, &it) != nil {
		return store.Item{}, false
	}
	return it, true
}

// SetItem caches an item for TTL.
func (c *Cache) SetItem(ctx context.Context, it store.Item) error {
	if c.rdb == nil {
		return nil
	}
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	return c.rdb.Set(ctx, key(it.ID), data, TTL).Err()
}

// Forget drops an item from the cache.
func (c *Cache) Forget(ctx context.Context, id int64) error {
	if c.rdb == nil {
		return nil
	}
	err := c.rdb.Del(ctx, key(id)).Err()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}

// Close closes the client.
func (c *Cache) Close() error {
	if c.rdb == nil {
		return nil
	}
	return c.rdb.Close()
}
