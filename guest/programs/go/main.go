// A Go program for the guest: goroutines on several OS threads, channels,
// select with a timeout, timers and sleeps (the runtime's netpoller: epoll
// and a pipe), a pipe between goroutines through the poller, a mutex, and a
// recovered panic. Its output does not depend on scheduling.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"
)

func main() {
	runtime.GOMAXPROCS(2)

	results := make(chan int)
	var wg sync.WaitGroup
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			sum := 0
			for k := 0; k <= n*1000; k++ {
				sum += k
			}
			results <- sum
		}(i)
	}
	go func() { wg.Wait(); close(results) }()
	var sums []int
	for s := range results {
		sums = append(sums, s)
	}
	sort.Ints(sums)
	fmt.Println("goroutine sums:", sums)

	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for k := 0; k < 1000; k++ {
				mu.Lock()
				counter++
				mu.Unlock()
				if k%100 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg2.Wait()
	fmt.Println("mutex counter:", counter)

	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	fmt.Println("slept at least 30ms:", time.Since(start) >= 30*time.Millisecond)

	never := make(chan int)
	select {
	case <-never:
		fmt.Println("select: impossible")
	case <-time.After(20 * time.Millisecond):
		fmt.Println("select: timed out")
	}

	ticks := 0
	ticker := time.NewTicker(5 * time.Millisecond)
	for range ticker.C {
		ticks++
		if ticks == 3 {
			break
		}
	}
	ticker.Stop()
	fmt.Println("ticks:", ticks)

	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		return
	}
	go func() {
		w.Write([]byte("through a pipe"))
		w.Close()
	}()
	buf := make([]byte, 64)
	total := 0
	for {
		n, err := r.Read(buf[total:])
		total += n
		if err != nil {
			break
		}
	}
	fmt.Printf("pipe read: %q\n", buf[:total])

	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		var m map[string]int
		m["x"] = 1
	}()
	fmt.Println("done")
}
