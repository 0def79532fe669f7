//go:build !linux

package plugin

import "github.com/tetratelabs/wazero/experimental"

// newMmapAllocator returns nil off Linux: wazero's default allocator (with
// capacity-from-max) is used.
func newMmapAllocator() experimental.MemoryAllocator { return nil }
