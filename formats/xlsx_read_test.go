package formats

import (
	"bytes"
	"io"

	"github.com/halocfg/halocfg/snapshot"
)

// workbook is what a halocfg workbook holds, read whole.
type workbook struct {
	about   map[string]string // source, tenant, created_at, tool, format_version
	records map[string][]snapshot.Record
}

// readWorkbookAt reads a whole workbook of size bytes from r within l, its
// temporary files in tmp.
func readWorkbookAt(r io.ReaderAt, size int64, tmp string, l xlsxLimits) (*workbook, error) {
	x, err := openXLSX(r, size, tmp, l)
	if err != nil {
		return nil, err
	}
	defer x.close()
	wb := &workbook{about: x.about, records: map[string][]snapshot.Record{}}
	for _, k := range x.kinds {
		if wb.records[k.kind], err = x.records("", k.sheet, k.kind).all(); err != nil {
			return nil, err
		}
	}
	return wb, nil
}

// readWorkbook reads a whole workbook held in memory, as halocfg reads one.
func readWorkbook(data []byte) (*workbook, error) {
	var wb *workbook
	err := inTempDir(func(tmp string) (err error) {
		wb, err = readWorkbookWithin(data, tmp, xlsxLimit)
		return err
	})
	return wb, err
}

func readWorkbookWithin(data []byte, tmp string, l xlsxLimits) (*workbook, error) {
	return readWorkbookAt(bytes.NewReader(data), int64(len(data)), tmp, l)
}
