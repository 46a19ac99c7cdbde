// Command console is the account centre of accountsec in a browser: the
// library's flows as server-rendered pages (html/template, no JavaScript
// framework) on top of package web, whose JSON API it also serves under
// /api/.
//
//	go run ./examples/console                 # in memory, a free port on 127.0.0.1
//	go run ./examples/console -addr 127.0.0.1:8080 \
//	    -pg postgres://postgres@127.0.0.1:5432/console -redis 127.0.0.1:6379
//
// It prints its URL ("console: http://127.0.0.1:PORT/"). SMS and email go
// to a fake outbox that the Outbox page shows (it stands for the visitor's
// phone and mailbox); the city picked in the header becomes the client IP,
// resolved by a fake GeoIP table, so that remote-login protection can be
// seen; the Admin page is the host's back office (the clock, face checks,
// the review queue of appeals and enterprise recoveries). Every flow of
// the facade has its pages (the Flows page lists them): the login appeal,
// the enterprise recovery with its look-up and allowances, and the WeCom
// sub-users on a simulated enterprise of each account, whose members
// apply through the administrator's links and get the decision as a WeCom
// message.
//
// With -pg the accounts, devices and flows are kept in PostgreSQL (the
// migrations run at start); with -redis the counters, codes, sessions and
// resets are kept in Redis. The flags default to $CONSOLE_PG and
// $CONSOLE_REDIS. $CONSOLE_SECRET (at least 16 bytes) keys the library;
// without it a random secret is drawn at every start, so data kept in
// PostgreSQL or Redis is not readable after a restart.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

// run parses the flags, opens the stores, serves the console until ctx ends
// and then shuts it down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("console", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:0", "address to listen on")
	pg := fl.String("pg", os.Getenv("CONSOLE_PG"), "PostgreSQL DSN (default $CONSOLE_PG; empty: in memory)")
	rd := fl.String("redis", os.Getenv("CONSOLE_REDIS"), "Redis address for hot state (default $CONSOLE_REDIS)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	logger := log.New(stderr, "console: ", log.LstdFlags)
	st, closeStores, err := openStores(ctx, *pg, *rd, "", "")
	if err != nil {
		return err
	}
	defer closeStores()
	var secret []byte
	if s := os.Getenv("CONSOLE_SECRET"); s != "" {
		secret = []byte(s)
	} else if *pg != "" || *rd != "" {
		logger.Print("CONSOLE_SECRET is not set: a random secret keys this run, so what it stores cannot be read after a restart")
	}
	a, err := newApp(options{stores: st, secret: secret, errLog: func(err error) { logger.Print(err) }})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	fmt.Fprintf(stdout, "console: http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
