package app

import (
	"context"

	"github.com/bcqb/bcqb/web"
)

// careDeps wires the care pages: backups, alerts, the inventory audit.
func (s *Server) careDeps() web.CareDeps {
	return web.CareDeps{
		Backup:        func(ctx context.Context) (string, error) { return writeBackup(ctx, s.db, s.backupDir()) },
		BackupDir:     s.backupDir(),
		Sealer:        s.pull.sealer,
		TestAlert:     s.alerts.Test,
		Inventory:     func(ctx context.Context) ([]web.InventoryStore, error) { return inventoryAudit(ctx, s.db) },
		ReadInventory: func(ctx context.Context) (int, error) { return readInventorySoon(ctx, s.db) },
		MappingNeeds: func(ctx context.Context, companyID int64) ([]web.MappingNeed, error) {
			needs, err := mappingNeeds(ctx, s.db, companyID)
			out := make([]web.MappingNeed, len(needs))
			for i, n := range needs {
				out[i] = n.MappingNeed
			}
			return out, err
		},
	}
}
