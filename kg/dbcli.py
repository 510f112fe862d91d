"""``kg db``: load a kg output into the embedded graph database, query it in Cypher, write Neo4j import files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import networkx as nx
import typer

from kg.graphdb import DB_NAME, DEFAULT_ENGINE, ENGINES, GraphDatabase, write_database
from kg.neo4j import IMPORT_COMMAND, write_neo4j
from kg.query import KnowledgeGraph

db_app = typer.Typer(no_args_is_help=True)

EngineOption = Annotated[str, typer.Option("--engine", help=f"Embedded graph database: {', '.join(ENGINES)}.")]


@db_app.command("load")
def load(
    output: Annotated[Path, typer.Argument(help="A kg build output folder (with graph.json).")],
    path: Annotated[Path, typer.Argument(help=f"The database file to write (e.g. OUTPUT/{DB_NAME}).")],
    engine: EngineOption = DEFAULT_ENGINE,
) -> None:
    """Load OUTPUT into the database PATH, replacing what PATH held (never adding to it)."""
    graph = _graph(output)
    written = write_database(graph, path.parent, path.name, engine=engine)
    typer.echo(f"wrote {written}: {graph.number_of_nodes()} entities, {graph.number_of_edges()} relations")


@db_app.command("query")
def query(
    path: Annotated[Path, typer.Argument(help="A database written by kg build --db or kg db load.")],
    cypher: Annotated[str, typer.Argument(help='A Cypher query, e.g. "MATCH (p:PERSON) RETURN p.label LIMIT 5".')],
    engine: EngineOption = DEFAULT_ENGINE,
) -> None:
    """Run CYPHER against the database PATH and print the rows."""
    try:
        with GraphDatabase(path, engine=engine) as db:
            rows = db.query(cypher)
    except (FileNotFoundError, RuntimeError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from err
    typer.echo(rows.to_string(index=False))


@db_app.command("neo4j")
def neo4j(
    output: Annotated[Path, typer.Argument(help="A kg build output folder (with graph.json).")],
    target: Annotated[Path | None, typer.Argument(help="Folder for the Neo4j files (default: OUTPUT/neo4j).")] = None,
) -> None:
    """Write nodes.csv, relationships.csv (neo4j-admin import format) and load.cypher (LOAD CSV) for Neo4j."""
    folder = target or output / "neo4j"
    written = write_neo4j(_graph(output), folder)
    typer.echo("wrote " + "  ".join(str(p) for p in written.values()))
    typer.echo("import: " + IMPORT_COMMAND.format(dir=folder))


def _graph(output: Path) -> nx.MultiDiGraph:
    try:
        return KnowledgeGraph.load(output).graph
    except (OSError, ValueError) as err:
        typer.echo(f"error: cannot read {output}: {err}", err=True)
        raise typer.Exit(code=2) from err
