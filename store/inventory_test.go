package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bcqb/bcqb/store"
)

// TestInventoryReadings: a reading is recorded page by page, finishes, and
// the newest finished one is processed, superseding older ones; an
// adjustment is recorded once per item and reading; pushes are kept per
// product and variant.
func TestInventoryReadings(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	u, err := db.PutUser(ctx, "qb", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	c := u.CompanyID
	var old, cur int64
	err = db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if old, err = tx.StartReading(ctx, c, 0); err != nil {
			return err
		}
		if err := tx.FinishReading(ctx, old); err != nil {
			return err
		}
		if cur, err = tx.StartReading(ctx, c, 0); err != nil {
			return err
		}
		if err := tx.PutQuantities(ctx, cur, []store.ItemQuantity{{ListID: "W", FullName: "Widget", OnHand: "100", Unposted: "3"}}); err != nil {
			return err
		}
		if err := tx.PutQuantities(ctx, cur, []store.ItemQuantity{{ListID: "G", FullName: "Gadget", OnHand: "25", Uncertain: "lost"}}); err != nil {
			return err
		}
		return tx.FinishReading(ctx, cur)
	})
	if err != nil {
		t.Fatal(err)
	}
	todo, err := db.ReadingsToProcess(ctx)
	if err != nil || len(todo) != 1 || todo[0].ID != cur {
		t.Fatalf("to process: %+v %v", todo, err)
	}
	qs, err := db.Quantities(ctx, cur)
	if err != nil || len(qs) != 2 || qs[1].FullName != "Widget" || qs[1].Unposted != "3" || qs[1].Adjusting != "0" || qs[0].Uncertain != "lost" {
		t.Fatalf("quantities: %+v %v", qs, err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		id, created, err := tx.AddAdjustment(ctx, store.InventoryAdjustment{CompanyID: c, ListID: "W", FullName: "Widget", ReadingID: cur, Difference: "-3"})
		if err != nil || !created {
			return errors.Join(err, errors.New("not created"))
		}
		j, _, err := tx.Enqueue(ctx, store.Job{CompanyID: c, Kind: "inventory.adjust", DedupeKey: "invadj:W"})
		if err != nil {
			return err
		}
		if err := tx.SetAdjustmentJob(ctx, id, j.ID); err != nil {
			return err
		}
		again, created, err := tx.AddAdjustment(ctx, store.InventoryAdjustment{CompanyID: c, ListID: "W", FullName: "Widget", ReadingID: cur, Difference: "-9"})
		if err != nil || created || again != id {
			return errors.Join(err, errors.New("created twice"))
		}
		return tx.EndReading(ctx, cur, store.ReadingProcessed, "1 adjustment")
	})
	if err != nil {
		t.Fatal(err)
	}
	if x, err := db.Reading(ctx, old); err != nil || x.State != store.ReadingSuperseded {
		t.Errorf("older reading: %+v %v", x, err)
	}
	if err := db.EndReading(ctx, cur, store.ReadingProcessed, ""); !errors.Is(err, store.ErrConflict) {
		t.Errorf("processed twice: %v", err)
	}
	open, err := db.OpenAdjustments(ctx, c)
	if err != nil || len(open) != 1 || open[0].Difference != "-3" {
		t.Errorf("open adjustments: %+v %v", open, err)
	}
	if id, err := db.LastAdjustmentID(ctx); err != nil || id != open[0].ID {
		t.Errorf("last adjustment %d %v", id, err)
	}
}
