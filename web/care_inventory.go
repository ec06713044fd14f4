package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// InventoryStore is the inventory audit of one BigCommerce store.
type InventoryStore struct {
	StoreID   int64
	StoreHash string
	// User is the Web Connector user of the company file it posts to.
	User string
	// Sync is the store's inventory direction: off, quickbooks or bigcommerce.
	Sync string
	// PulledAt is when BigCommerce's levels were last pulled in full; ReadAt
	// when QuickBooks' reading finished (zero: never).
	PulledAt, ReadAt time.Time
	Rows             []InventoryRow
	// Differences counts the rows whose quantities differ.
	Differences int
}

// InventoryRow is one SKU: BigCommerce's level beside QuickBooks' item.
type InventoryRow struct {
	SKU, Product string
	// Tracked is set when BigCommerce counts this SKU's stock; BigCommerce is that level.
	Tracked     bool
	BigCommerce string
	Item        string
	// OnHand is QuickBooks' quantity on hand; Unposted what orders not
	// posted yet take from it; Expected the difference, what BigCommerce
	// should show.
	OnHand, Unposted, Expected string
	// Difference is BigCommerce's level (with SharedWith's) less Expected.
	Difference string
	Differs    bool
	// SharedWith lists the other SKUs posting to the same item.
	SharedWith []string
	// Note says why the row is not compared.
	Note string
}

func (s *server) inventoryRoutes(r *mux.Router) {
	r.HandleFunc("/care/inventory", s.requireLogin(s.inventoryPage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/care/inventory/read", s.requireLogin(s.inventoryRead)).Methods(http.MethodPost)
}

type inventoryPage struct {
	pageData
	Notice string
	// Only shows the rows that differ.
	Only    bool
	Stores  []InventoryStore
	CanRead bool
}

func (s *server) inventoryPage(w http.ResponseWriter, r *http.Request) {
	if s.Care.Inventory == nil {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "This bcqb has no inventory audit."})
		return
	}
	stores, err := s.Care.Inventory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := inventoryPage{pageData: s.pageData(r, "Inventory audit"), Only: q.Get("show") == "differences",
		CanRead: s.Care.ReadInventory != nil}
	switch n := q.Get("queued"); n {
	case "":
	case "0":
		d.Notice = "No BigCommerce store is linked to a QuickBooks company file yet, so there is nothing to read."
	default:
		d.Notice = "QuickBooks' quantities will be read at the Web Connector's next update. Reload this page after it."
	}
	for _, st := range stores {
		if d.Only {
			var keep []InventoryRow
			for _, row := range st.Rows {
				if row.Differs {
					keep = append(keep, row)
				}
			}
			st.Rows = keep
		}
		d.Stores = append(d.Stores, st)
	}
	s.render(w, r, http.StatusOK, "care_inventory.html", d)
}

func (s *server) inventoryRead(w http.ResponseWriter, r *http.Request) {
	if s.Care.ReadInventory == nil {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "This bcqb cannot read QuickBooks' quantities from the page."})
		return
	}
	n, err := s.Care.ReadInventory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/care/inventory?queued=%d", n), http.StatusSeeOther)
}
