"""Ingest: feeds in, Articles out (fetch → parse → page text → language → fingerprints).

Import from the modules (`briefings.ingest.poll` for polling): this package imports nothing, so a
poll whose feeds all answer 304 never loads the parsers, lxml, trafilatura or the language model.
"""
